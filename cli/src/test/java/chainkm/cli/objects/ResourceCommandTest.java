package chainkm.cli.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.OperatorCli;
import chainkm.cli.authz.FakeCometRpc;
import chainkm.gateway.Main;
import chainkm.gateway.coap.ProxyCoapServer;
import chainkm.gateway.proxy.ObjectAdmission;
import chainkm.gateway.proxy.ObjectCache;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code resource get} as a user runs it, in-process, against a real proxy endpoint (plain CoAP on
 * loopback) and a stand-in CometBFT RPC that holds the device's key: what it prints and its exit code.
 */
class ResourceCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;
    private final Ed25519.KeyPair kitchen = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] groupKey = new byte[16];
    private final ProtectedResource resource = new ProtectedResource("kitchen-1", "/temperature");
    private ProxyCoapServer proxy;
    private FakeCometRpc rpc;
    private byte[] signed;

    record Run(int exit, JsonNode json, String err) {}

    @BeforeEach
    void start() throws Exception {
        RANDOM.nextBytes(groupKey);
        ObjectCache cache = new ObjectCache(ObjectCache.Limits.DEFAULT);
        proxy = ProxyCoapServer.start(cache, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        signed = SignedObject.sign(ProtectedObject.seal(resource, 3, groupKey, () -> 77L,
                "{\"celsius\":21.5}".getBytes(StandardCharsets.UTF_8)), resource, kitchen).encode();
        assertTrue(new ObjectAdmission(cache).admit("kitchen-1", kitchen.publicKey(), "/temperature", signed).isAccepted());
        rpc = new FakeCometRpc();
        rpc.answer("/identity", "kitchen-1", "{\"name\":\"kitchen-1\",\"state\":\"active\",\"key\":\""
                + Hex.encode(kitchen.publicKey()) + "\"}");
    }

    @AfterEach
    void stop() {
        proxy.close();
        rpc.close();
    }

    private Run get(String... extra) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(new OperatorCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("resource", "get",
                "--proxy", "127.0.0.1:" + proxy.port(), "--rpc-port", Integer.toString(rpc.port())));
        args.addAll(java.util.List.of(extra));
        int exit = cli.execute(args.toArray(String[]::new));
        String text = out.toString().trim();
        return new Run(exit, text.isEmpty() ? null : JSON.readTree(text), err.toString().trim());
    }

    @Test
    void printsTheObjectChecksItsSignatureAndOpensItWithTheKey() throws Exception {
        Path saved = tmp.resolve("o.cose");
        Run r = get("--device", "kitchen-1", "--resource", "/temperature", "--session-key", Hex.encode(groupKey),
                "--save", saved.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("valid", r.json().path("signature").asText());
        assertEquals(3, r.json().path("session").asLong());
        assertEquals(77, r.json().path("sequence").asLong());
        assertEquals(signed.length, r.json().path("size").asInt());
        assertEquals("{\"celsius\":21.5}", r.json().path("plaintext").asText());
        assertArrayEquals(signed, Files.readAllBytes(saved));
        Run noKey = get("--device", "kitchen-1", "--resource", "/temperature");
        assertTrue(noKey.json().path("plaintext").isMissingNode());
        Run wrongKey = get("--device", "kitchen-1", "--resource", "/temperature", "--session-key", "00".repeat(16));
        assertEquals(false, wrongKey.json().path("opened").asBoolean(true));
        assertTrue(!wrongKey.json().toString().contains("celsius"), "nothing of the reading without its key");
    }

    @Test
    void anObjectThatTheLedgersKeyDoesNotVerifyExitsWith4() throws Exception {
        rpc.answer("/identity", "kitchen-1", "{\"key\":\"" + Hex.encode(Ed25519.KeyPair.generate(RANDOM).publicKey()) + "\"}");
        Run r = get("--device", "kitchen-1", "--resource", "/temperature", "--session-key", Hex.encode(groupKey));
        assertEquals(4, r.exit());
        assertEquals("invalid", r.json().path("signature").asText());
        assertTrue(r.json().path("plaintext").isMissingNode(), "not opened when the signature fails");
    }

    @Test
    void nothingCachedExitsWith4AndABadPathIsAUsageError() throws Exception {
        Run none = get("--device", "kitchen-1", "--resource", "/humidity");
        assertEquals(4, none.exit());
        assertEquals(false, none.json().path("found").asBoolean(true));
        Run bad = get("--device", "kitchen-1", "--resource", "temperature");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("starts with '/'"), bad.err());
    }
}
