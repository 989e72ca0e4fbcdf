package chainkm.cli.authz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.OperatorCli;
import chainkm.gateway.Main;
import chainkm.gateway.coap.ClientCoapServer;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The authorization commands as a user runs them, in-process, against a real client endpoint
 * (the gateway's {@link ClientCoapServer}, real DTLS on loopback) whose ledger is a stand-in, and
 * a stand-in CometBFT RPC for the look-ups: what each prints, its exit code, and the statement
 * that reached the ledger.
 */
class AuthzCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HEIGHT = 42;

    @TempDir
    Path tmp;
    private final Ed25519.KeyPair gatewayKey = Ed25519.KeyPair.generate(new SecureRandom());
    private final List<Operation> operations = new CopyOnWriteArrayList<>();
    private final List<byte[]> relayed = new CopyOnWriteArrayList<>();
    private volatile SubmitResult answer = result(SubmitStatus.COMMITTED, 0, "");
    private ClientCoapServer gateway;
    private FakeCometRpc rpc;
    private Path owner;
    private Path alice;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static SubmitResult result(SubmitStatus status, int code, String log) {
        return new SubmitResult(Operation.TOKEN_REQUEST, 0, 0, status, code, log,
                status == SubmitStatus.COMMITTED ? HEIGHT : 0, "AB", 1, 1.0, null);
    }

    @BeforeEach
    void start() throws Exception {
        gateway = ClientCoapServer.start((op, statement) -> {
            operations.add(op);
            relayed.add(statement);
            return answer;
        }, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gatewayKey);
        rpc = new FakeCometRpc();
        owner = tmp.resolve("owner");
        alice = tmp.resolve("alice");
        assertEquals(0, run("client", "keygen", "--out", owner.toString()).exit());
        assertEquals(0, run("client", "keygen", "--out", alice.toString()).exit());
    }

    @AfterEach
    void stop() {
        gateway.close();
        rpc.close();
    }

    /** Runs bin/chainkm's operator commands with ARGS as Main.execute does, capturing stdout and stderr. */
    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(new OperatorCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString().trim(), err.toString().trim());
    }

    /** ARGS, then the options that reach the test's client endpoint. */
    private String[] viaGateway(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--gateway-address", "127.0.0.1:" + gateway.port(), "--gateway-key",
                Hex.encode(gatewayKey.publicKey()), "--timeout", "20"));
        return all.toArray(String[]::new);
    }

    private String[] viaRpc(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--rpc-port", Integer.toString(rpc.port())));
        return all.toArray(String[]::new);
    }

    private Ed25519.KeyPair key(Path dir) throws Exception {
        return KeyDirectory.load(dir);
    }

    private static final String POLICY_ID = "11".repeat(32);

    @Test
    void keygenPrintsTheDirectoryAndThePublicKeyAndNeverThePrivateKey() throws Exception {
        Run r = run("client", "keygen", "--out", tmp.resolve("carol").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals(tmp.resolve("carol").toString(), j.path("dir").asText());
        assertEquals(Files.readString(tmp.resolve("carol/client.pub")).trim(), j.path("public_key").asText());
        String seed = Files.readString(tmp.resolve("carol/client.key")).trim();
        assertFalse(r.out().contains(seed), "the private key is not printed");
        assertFalse(r.out().contains(Hex.encode(Base64.getDecoder().decode(seed))), "not in hex either");
        Run again = run("client", "keygen", "--out", tmp.resolve("carol").toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().startsWith("chainkm client keygen: ") && again.err().contains("--force"), again.err());
        assertEquals("", again.out());
    }

    @Test
    void policyPutSignsTheAllowListPolicyAsTheOwnerAndPrintsItWithItsHeight() throws Exception {
        String bob = Hex.encode(Ed25519.KeyPair.generate(new SecureRandom()).publicKey());
        Run r = run(viaGateway("policy", "put", "--owner", owner.toString(), "--device", "lamp-1", "--resource", "/light:GET,PUT",
                "--resource", "/temp", "--max-lifetime", "100", "--client", alice.toString(), "--client", bob));
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(Operation.POLICY_PUT), operations);
        Policy p = Policy.decode(relayed.get(0));
        assertTrue(p.verifies());
        assertArrayEquals(key(owner).publicKey(), p.owner());
        assertTrue(p.allows(key(alice).publicKey()) && p.allows(Hex.decode(bob)));
        JsonNode j = r.json();
        assertEquals(Hex.encode(p.id()), j.path("id").asText());
        assertEquals(Hex.encode(p.owner()), j.path("owner").asText());
        assertEquals("lamp-1", j.path("device").asText());
        assertEquals("[[\"/light\",5],[\"/temp\",1]]", j.path("scope").toString());
        assertEquals(100, j.path("max_lifetime").asLong());
        assertEquals(2, j.path("clients").size());
        assertEquals(HEIGHT, j.path("height").asLong());
    }

    @Test
    void aVoucherModePolicyAVoucherAndATokenRequestCarryingIt() throws Exception {
        Run put = run(viaGateway("policy", "put", "--owner", owner.toString(), "--device", "lamp-1", "--resource", "/light",
                "--max-lifetime", "100", "--voucher-mode"));
        assertEquals(0, put.exit(), put.err());
        assertEquals("voucher", put.json().path("who").asText());
        assertTrue(Policy.decode(relayed.get(0)).voucherMode());
        String policyId = put.json().path("id").asText();

        Path file = tmp.resolve("alice.voucher");
        Run v = run("voucher", "--owner", owner.toString(), "--policy", policyId, "--client", alice.toString(),
                "--until", "500", "--out", file.toString());
        assertEquals(0, v.exit(), v.err());
        Voucher voucher = Voucher.decode(Hex.decode(v.json().path("voucher").asText()));
        assertTrue(voucher.verifies(key(owner).publicKey()));
        assertTrue(voucher.isFor(Hex.decode(policyId), key(alice).publicKey()));
        assertEquals(500, voucher.until());
        assertEquals(v.json().path("voucher").asText(), Files.readString(file).trim());

        Run t = run(viaGateway("token", "add", "--client", alice.toString(), "--policy", policyId, "--device", "lamp-1",
                "--resource", "/light", "--lifetime", "10", "--voucher", file.toString()));
        assertEquals(0, t.exit(), t.err());
        TokenRequest request = TokenRequest.decode(relayed.get(1));
        assertArrayEquals(voucher.encode(), request.voucher());
    }

    @Test
    void tokenAddPrintsTheGrantedTokenBoundToTheClientsKey() throws Exception {
        Run r = run(viaGateway("token", "add", "--client", alice.toString(), "--policy", POLICY_ID, "--device", "lamp-1",
                "--resource", "/light:GET", "--lifetime", "10"));
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(Operation.TOKEN_REQUEST), operations);
        TokenRequest request = TokenRequest.decode(relayed.get(0));
        assertTrue(request.verifies());
        assertArrayEquals(key(alice).publicKey(), request.client());
        AccessToken granted = request.grant(HEIGHT);
        JsonNode j = r.json();
        assertEquals(Hex.encode(request.cti()), j.path("cti").asText());
        assertEquals("live", j.path("state").asText());
        assertEquals("lamp-1", j.path("aud").asText());
        assertEquals("[[\"/light\",1]]", j.path("scope").toString());
        assertEquals(HEIGHT, j.path("iat").asLong());
        assertEquals(HEIGHT + 10, j.path("exp").asLong());
        assertEquals(Hex.encode(key(alice).publicKey()), j.path("client").asText());
        assertEquals(POLICY_ID, j.path("policy").asText());
        assertEquals(Hex.encode(granted.encode()), j.path("token").asText());
    }

    @Test
    void aLedgerRefusalExitsWithFourAndPrintsTheRefusal() throws Exception {
        answer = result(SubmitStatus.REFUSED, 43, "NOT_ALLOWED: the policy does not allow it (client not on the allow-list)");
        Run r = run(viaGateway("token", "add", "--client", alice.toString(), "--policy", POLICY_ID, "--device", "lamp-1",
                "--resource", "/light", "--lifetime", "10"));
        assertEquals(4, r.exit(), r.err());
        assertEquals("{\"refused\":true,\"code\":43,\"name\":\"NOT_ALLOWED\",\"reason\":\"the policy does not allow it "
                + "(client not on the allow-list)\",\"by\":\"ledger\"}", r.out());
    }

    @Test
    void tokenDeleteAndPolicyRemoveAreSignedByTheGivenKey() throws Exception {
        String cti = "ab".repeat(16);
        Run d = run(viaGateway("token", "delete", "--as", owner.toString(), cti));
        assertEquals(0, d.exit(), d.err());
        TokenDeletion deletion = TokenDeletion.decode(relayed.get(0));
        assertTrue(deletion.verifies());
        assertArrayEquals(key(owner).publicKey(), deletion.signer());
        assertEquals("{\"deleted\":\"" + cti + "\",\"by\":\"" + Hex.encode(key(owner).publicKey()) + "\",\"height\":42}",
                d.out());

        Run rm = run(viaGateway("policy", "remove", "--owner", owner.toString(), POLICY_ID));
        assertEquals(0, rm.exit(), rm.err());
        PolicyRemoval removal = PolicyRemoval.decode(relayed.get(1));
        assertTrue(removal.verifies(key(owner).publicKey()));
        assertEquals("{\"removed\":\"" + POLICY_ID + "\",\"height\":42}", rm.out());
        assertEquals(List.of(Operation.TOKEN_DELETE, Operation.POLICY_REMOVE), operations);
    }

    @Test
    void lookUpsPrintTheLedgersAnswerAndExitWithFourWhenItKnowsNothing() throws Exception {
        rpc.answer("/authz/policy", POLICY_ID, "{\"id\":\"" + POLICY_ID + "\",\"device\":\"lamp-1\"}");
        Run show = run(viaRpc("policy", "show", POLICY_ID));
        assertEquals(0, show.exit(), show.err());
        assertEquals("lamp-1", show.json().path("device").asText());
        rpc.answer("/authz/policy", "", "{\"height\":7,\"policies\":[]}");
        assertEquals(0, run(viaRpc("policy", "show")).exit());

        String aliceKey = Hex.encode(key(alice).publicKey());
        rpc.answer("/authz/tokens", aliceKey, "{\"height\":7,\"client\":\"" + aliceKey + "\",\"tokens\":[]}");
        Run list = run(viaRpc("token", "list", "--client", alice.toString()));
        assertEquals(0, list.exit(), list.err());
        assertEquals(aliceKey, list.json().path("client").asText());

        Run unknown = run(viaRpc("token", "get", "cd".repeat(16)));
        assertEquals(4, unknown.exit(), unknown.err());
        assertEquals("{\"refused\":true,\"code\":1,\"name\":\"NOT_FOUND\",\"reason\":\"no such thing\",\"by\":\"ledger\"}",
                unknown.out());
        assertEquals(new FakeCometRpc.Query("/authz/token", "cd".repeat(16)), rpc.queries.get(rpc.queries.size() - 1));
    }

    @Test
    void badUsageExitsWithTwoAndSendsNothing() throws Exception {
        String o = owner.toString();
        List<String[]> wrong = List.of(
                viaGateway("policy", "put", "--owner", o, "--device", "lamp-1", "--resource", "/light", "--max-lifetime", "9"),
                viaGateway("policy", "put", "--owner", o, "--device", "lamp-1", "--resource", "/light", "--max-lifetime", "9",
                        "--voucher-mode", "--client", alice.toString()),
                viaGateway("policy", "put", "--owner", o, "--device", "lamp-1", "--resource", "/light:GOT", "--max-lifetime", "9",
                        "--voucher-mode"),
                viaGateway("policy", "put", "--owner", o, "--device", "lamp 1", "--resource", "/light", "--max-lifetime", "9",
                        "--voucher-mode"),
                viaGateway("policy", "put", "--owner", o, "--device", "lamp-1", "--resource", "/light", "--max-lifetime", "0",
                        "--voucher-mode"),
                viaGateway("policy", "put", "--owner", o, "--device", "lamp-1", "--resource", "/light", "--max-lifetime", "9",
                        "--client", "not-a-key"),
                viaGateway("token", "add", "--client", alice.toString(), "--policy", "1234", "--device", "lamp-1",
                        "--resource", "/light", "--lifetime", "10"),
                viaGateway("token", "add", "--client", alice.toString(), "--policy", POLICY_ID, "--device", "lamp-1",
                        "--resource", "/light", "--lifetime", "10", "--voucher", "a0"),
                viaGateway("token", "delete", "--as", o, "abcd"),
                new String[] {"token", "delete", "--as", o, "ab".repeat(16), "--gateway-address", "127.0.0.1:5685"},
                new String[] {"token", "delete", "--as", o, "ab".repeat(16), "--gateway-address", "127.0.0.1",
                        "--gateway-key", Hex.encode(gatewayKey.publicKey())},
                new String[] {"token", "delete", "--as", o, "ab".repeat(16), "--gateway-address", "127.0.0.1:5685",
                        "--gateway-key", "beef"},
                viaRpc("token", "get", "xyz"),
                new String[] {"voucher", "--owner", o, "--policy", POLICY_ID, "--client", alice.toString(), "--until", "-1"},
                new String[] {"token", "frobnicate"});
        for (String[] args : wrong) {
            Run r = run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.out() + r.err());
            assertFalse(r.err().isEmpty(), "says why: " + String.join(" ", args));
        }
        assertEquals(List.of(), operations, "nothing reached the ledger");
    }

    @Test
    void aGatewayShowingAnotherKeyGetsNoStatementAndTheErrorSaysWhatToCheck() throws Exception {
        String impostorKey = Hex.encode(Ed25519.KeyPair.generate(new SecureRandom()).publicKey());
        Run r = run("token", "delete", "--as", owner.toString(), "ab".repeat(16), "--gateway-address",
                "127.0.0.1:" + gateway.port(), "--gateway-key", impostorKey, "--timeout", "10");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("127.0.0.1:" + gateway.port()) && r.err().contains("signing key"), r.err());
        assertEquals("", r.out());
        assertEquals(List.of(), operations);
    }

    @Test
    void aMissingTestnetSaysHowToStartOne() {
        Run r = run("policy", "show", "--testnet", tmp.resolve("nowhere").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("testnet.json not found"), r.err());
        assertEquals("", r.out());
    }
}
