package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.authz.ClientEndpoint;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The key server on a live 4-gateway testnet. The device is a member whose set gateway 1 owns
 * (its home); clients add tokens through gateway 2 and ask the key server of gateway 3, which
 * checks the token and forwards to gateway 1, or gateway 1 directly: both hand out the same
 * personal secret. After the owner deletes the token, and separately after the token expires,
 * the first request after the block that did it is refused. Attacks are refused with their own
 * code and reason, logged, and change no state; a standard DTLS client without a token's key
 * gets no session; an unreachable home gateway is 5.03.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyServerIT extends SharedTestnetIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration AGREE = Duration.ofSeconds(60);
    /** A DTLS session the server completed: {@code openssl s_client} prints the cipher it agreed. */
    private static final Pattern AGREED_CIPHER = Pattern.compile("Cipher is (?!\\(NONE\\))");

    private final Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair alice = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair bob = Ed25519.KeyPair.generate(RANDOM);
    /** A synthetic member joined through gateway 1: its home gateway. */
    private String device;
    private int home;
    private Policy light;

    @BeforeAll
    void aDeviceWithAHomeAndAPolicy() throws Exception {
        net = RunningTestnet.start(dir, 4);
        int node = net.join(1).commit().nodeId();
        device = net.node(node).json().path("identity").asText();
        home = setOwnerOf(node);
        assertEquals(1, home, "the device's set is gateway 1's");
        light = Policy.sign(owner, device, Aif.of("/light", Aif.GET | Aif.PUT), 10_000,
                List.of(alice.publicKey(), bob.publicKey()), random(16));
        try (ClientEndpoint c = client(1, owner)) {
            Response r = c.post("policy", light.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
        }
    }

    // --- the story ------------------------------------------------------------------------

    @Test
    @Order(1)
    void aClientGetsItsAccessThroughAnotherGatewayAndLosesItWithTheBlockThatDeletesTheToken() throws Exception {
        AccessToken token = addToken(2, alice, light, Aif.of("/light", Aif.GET | Aif.PUT), 5_000);
        String agreed = appHash();

        // gateway 3 is not the device's home: it checks the token, then forwards to gateway 1
        AccessGrant viaOther = granted(access(3, alice, token.cti(), "/light", Aif.GET));
        assertEquals(device + "/light", viaOther.group());
        assertEquals(token.exp(), viaOther.exp());
        assertEquals(1, viaOther.num(), "the first member holds keys from session 1");
        assertTrue(viaOther.exi() >= 1 && viaOther.exi() < token.exp() - token.iat(), viaOther.toString());
        assertTrue(net.log(3).contains("key server: access to " + device + "/light for client " + prefix(alice)
                + " passes the checks at height"), "gateway 3 checks first");
        assertTrue(net.log(3).contains("forwarding to home gateway 1"), "gateway 3 forwards to the home");
        assertTrue(net.log(1).contains("granted to client " + prefix(alice)), "gateway 1 grants");
        assertTrue(net.log(1).contains("(forwarded by gateway 3)"), "gateway 1 names the forwarder");

        // the home gateway itself hands out the same material, for GET or PUT alike
        AccessGrant direct = granted(access(1, alice, token.cti(), "/light", Aif.GET | Aif.PUT));
        assertArrayEquals(viaOther.key(), direct.key(), "one personal secret per token, whoever asks");
        assertEquals(viaOther.group(), direct.group());

        // only the home holds the group's master secret, owner-only; the key server changed no ledger state
        Path secrets = GatewayHome.at(dir.resolve("gateway-1")).groupsDir();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)));
        List<Path> files = list(secrets);
        assertEquals(2, files.size(), "the group's master secret and its group manager's state: " + files);
        for (Path f : files) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
        for (int g = 2; g <= 4; g++) {
            assertFalse(Files.exists(GatewayHome.at(dir.resolve("gateway-" + g)).groupsDir()), "gateway " + g);
        }
        assertEquals(agreed, appHash(), "handing out keys changes no ledger state");

        // the owner deletes the token through gateway 4: the next request after that block is refused
        long deleted = deleteToken(4, owner, token.cti());
        for (int g : List.of(3, 1)) {
            awaitHeight(g, deleted);
            assertRefused(access(g, alice, token.cti(), "/light", Aif.GET), ResponseCode.UNAUTHORIZED,
                    "token revoked at height " + deleted);
            assertLogged(g, "refused at height", "UNAUTHORIZED token revoked at height " + deleted);
        }
        appHash();
    }

    @Test
    @Order(2)
    void anExpiredTokenIsRefusedFromTheLastBlockThatStillHoldsIt() throws Exception {
        AccessToken token = addToken(2, alice, light, Aif.of("/light", Aif.GET), 12);
        appHash();
        long now = net.height(3);
        assertTrue(now + 1 < token.exp(), "still live at " + now + ": " + token);
        AccessGrant g = granted(access(3, alice, token.cti(), "/light", Aif.GET));
        assertEquals(token.exp(), g.exp());

        // at exp - 1 the next block would no longer see it: refused, at the forwarder and at the home
        for (int gw : List.of(3, 1)) {
            awaitHeight(gw, token.exp() - 1);
            Response r = access(gw, alice, token.cti(), "/light", Aif.GET);
            assertEquals(ResponseCode.UNAUTHORIZED, r.getCode(), r.getPayloadString());
            assertTrue(r.getPayloadString().startsWith("token expired at "), r.getPayloadString());
            assertLogged(gw, "for client " + prefix(alice), "UNAUTHORIZED token expired at");
        }
        // every gateway agrees on what expiry left: same app hash at the same height
        appHash();
    }

    @Test
    @Order(3)
    void attacksAreRefusedEachWithItsReasonAndChangeNothing() throws Exception {
        AccessToken live = addToken(2, alice, light, Aif.of("/light", Aif.GET), 5_000);
        AccessToken bobs = addToken(2, bob, light, Aif.of("/light", Aif.GET), 5_000);
        long revokedAt = deleteToken(2, bob, bobs.cti()); // bob deletes his own
        AccessToken shortLived = addToken(2, bob, light, Aif.of("/light", Aif.GET), 2);
        awaitHeight(1, shortLived.exp());
        String before = appHash();
        long requestsBefore = countGranted();

        // an expired token and a revoked one
        assertRefused(access(3, bob, shortLived.cti(), "/light", Aif.GET), ResponseCode.UNAUTHORIZED, "token expired at");
        assertRefused(access(3, bob, bobs.cti(), "/light", Aif.GET), ResponseCode.UNAUTHORIZED,
                "token revoked at height " + revokedAt);
        // a token for another audience, and a scope that does not cover the request
        assertRefused(access(3, alice, live.cti(), "other-device", "/light", Aif.GET), ResponseCode.FORBIDDEN,
                "token for another audience");
        assertRefused(access(3, alice, live.cti(), "/light", Aif.PUT), ResponseCode.FORBIDDEN,
                "scope does not cover PUT on /light");
        assertRefused(access(1, alice, live.cti(), "/door", Aif.GET), ResponseCode.FORBIDDEN,
                "scope does not cover GET on /door");
        // bob presents alice's cti: his handshake proves his key, not the token's
        assertRefused(access(3, bob, live.cti(), "/light", Aif.GET), ResponseCode.UNAUTHORIZED,
                "token bound to another key");
        assertRefused(access(1, bob, live.cti(), "/light", Aif.GET), ResponseCode.UNAUTHORIZED,
                "token bound to another key");
        // a key that holds no token completes the handshake and gets nothing
        Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
        assertRefused(access(3, mallory, random(16), "/light", Aif.GET), ResponseCode.UNAUTHORIZED, "unknown token");
        assertRefused(access(3, mallory, live.cti(), "/light", Aif.GET), ResponseCode.UNAUTHORIZED,
                "token bound to another key");
        // malformed CBOR and an oversized request
        assertRefused(post(3, alice, "not cbor at all".getBytes(StandardCharsets.US_ASCII)), ResponseCode.BAD_REQUEST,
                "malformed access request: ");
        assertRefused(post(3, alice, new byte[5_000]), ResponseCode.REQUEST_ENTITY_TOO_LARGE,
                "an access request is at most " + AccessRequest.MAX_SIZE + " bytes");

        // each refusal is logged with the client's key prefix and its reason
        assertLogged(3, "for client " + prefix(bob), "UNAUTHORIZED token expired at");
        assertLogged(3, "for client " + prefix(bob), "UNAUTHORIZED token revoked at height " + revokedAt);
        assertLogged(3, "for client " + prefix(alice), "FORBIDDEN token for another audience");
        assertLogged(3, "for client " + prefix(alice), "FORBIDDEN scope does not cover PUT on /light");
        assertLogged(1, "for client " + prefix(alice), "FORBIDDEN scope does not cover GET on /door");
        assertLogged(3, "for client " + prefix(bob), "UNAUTHORIZED token bound to another key");
        assertLogged(1, "for client " + prefix(bob), "UNAUTHORIZED token bound to another key");
        assertLogged(3, "for client " + prefix(mallory), "UNAUTHORIZED unknown token");
        assertLogged(3, "access for client " + prefix(alice), "refused: malformed");
        assertLogged(3, "access for client " + prefix(alice), "bytes, at most " + AccessRequest.MAX_SIZE);

        // nothing was handed out and nothing changed: same app hash, the live token still works
        assertEquals(requestsBefore, countGranted(), "no grant during the attacks");
        assertEquals(before, appHash(), "the attacks changed the ledger");
        assertEquals("live", net.query(4, "/authz/token", Hex.encode(live.cti())).path("state").asText());
        granted(access(3, alice, live.cti(), "/light", Aif.GET));
    }

    @Test
    @Order(4)
    void aStandardDtlsClientWithoutATokensKeyGetsNoSession() throws Exception {
        long grantsBefore = countGranted();
        int port = authzPort(3);
        String psk = opensslClient(port, List.of("-psk_identity", "gateway-1", "-psk", Hex.encode(random(16)),
                "-cipher", "PSK-AES128-CCM8"));
        assertFalse(AGREED_CIPHER.matcher(psk).find(), "a PSK session on the clients' port:\n" + psk);
        assertTrue(psk.contains("alert handshake failure"), "the gateway ended the handshake:\n" + psk);
        Path certDir = Files.createDirectories(dir.resolve("attacker-cert"));
        run(List.of("openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-subj", "/CN=alice", "-days", "1",
                "-keyout", certDir.resolve("k.pem").toString(), "-out", certDir.resolve("c.pem").toString()));
        String x509 = opensslClient(port, List.of("-cert", certDir.resolve("c.pem").toString(), "-key",
                certDir.resolve("k.pem").toString(), "-cipher", "ECDHE-ECDSA-AES128-CCM8"));
        assertFalse(AGREED_CIPHER.matcher(x509).find(), "a certificate session on the clients' port:\n" + x509);
        assertTrue(x509.contains("alert handshake failure"), "the gateway ended the handshake:\n" + x509);
        // libcoap's standard client with a PSK asks the key server: no session, no answer
        byte[] body = new AccessRequest(random(16), device, "/light", Aif.GET).encode();
        Path bodyFile = dir.resolve("access.cbor");
        Files.write(bodyFile, body);
        String coap = run(List.of("coap-client-openssl", "-m", "post", "-u", "gateway-1", "-k", Hex.encode(random(16)),
                "-f", bodyFile.toString(), "-B", "5", "coaps://127.0.0.1:" + port + "/authz/access"));
        assertFalse(coap.matches("(?s).*\\b2\\.05\\b.*"), "libcoap got material:\n" + coap);
        assertTrue(coap.contains("handshake failure"), "the gateway ended the handshake:\n" + coap);
        assertEquals(grantsBefore, countGranted(), "nothing was handed out");
    }

    @Test
    @Order(5)
    void anUnreachableHomeGatewayIsUnavailableWithTheReason() throws Exception {
        AccessToken token = addToken(2, bob, light, Aif.of("/light", Aif.GET), 5_000);
        appHash();
        net.net.stop(1);
        Response r = access(3, bob, token.cti(), "/light", Aif.GET);
        assertEquals(ResponseCode.SERVICE_UNAVAILABLE, r.getCode(), r.getPayloadString());
        assertTrue(r.getPayloadString().startsWith("home gateway 1 of device " + device + " unreachable: "),
                r.getPayloadString());
        assertLogged(3, "for client " + prefix(bob), "UNAVAILABLE home gateway 1 of device " + device + " unreachable");
        // the three gateways left still agree
        net.awaitSameAppHash(List.of(2, 3, 4), AGREE);
    }

    // --- helpers --------------------------------------------------------------------------

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String prefix(Ed25519.KeyPair key) {
        return Hex.encode(key.publicKey()).substring(0, 8);
    }

    private int setOwnerOf(int node) {
        for (JsonNode set : net.query(1, "/membership", "").path("sets")) {
            for (JsonNode m : set.path("members")) {
                if (m.asInt() == node) {
                    return set.path("gateway").asInt();
                }
            }
        }
        throw new AssertionError("node " + node + " is in no set");
    }

    private int authzPort(int gateway) throws IOException {
        return GatewayConfig.load(dir.resolve("gateway-" + gateway)).authzPortOrDefault();
    }

    private ClientEndpoint client(int gateway, Ed25519.KeyPair key) throws IOException {
        byte[] gatewayKey = GatewayKey.load(dir.resolve("gateway-" + gateway).resolve("gateway.key")).publicKey();
        return ClientEndpoint.connect(authzPort(gateway), key, gatewayKey);
    }

    /** The token the ledger grants {@code client} through {@code gateway}'s client endpoint. */
    private AccessToken addToken(int gateway, Ed25519.KeyPair client, Policy policy, Aif scope, long lifetime)
            throws Exception {
        TokenRequest request = TokenRequest.sign(client, policy.id(), policy.device(), scope, lifetime, random(16), null);
        try (ClientEndpoint c = client(gateway, client)) {
            Response r = c.post("token", request.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
            return AccessToken.decode(r.getPayload());
        }
    }

    /** Deletes the token through {@code gateway}; the height of the block that deleted it. */
    private long deleteToken(int gateway, Ed25519.KeyPair signer, byte[] cti) throws Exception {
        try (ClientEndpoint c = client(gateway, signer)) {
            Response r = c.post("token-delete", TokenDeletion.sign(signer, cti).encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
            return Long.parseLong(r.getPayloadString().trim());
        }
    }

    private Response access(int gateway, Ed25519.KeyPair key, byte[] cti, String path, long methods) throws IOException {
        return access(gateway, key, cti, device, path, methods);
    }

    private Response access(int gateway, Ed25519.KeyPair key, byte[] cti, String toDevice, String path, long methods)
            throws IOException {
        return post(gateway, key, new AccessRequest(cti, toDevice, path, methods).encode());
    }

    private Response post(int gateway, Ed25519.KeyPair key, byte[] body) throws IOException {
        try (ClientEndpoint c = client(gateway, key)) {
            return c.post("access", body);
        }
    }

    private static AccessGrant granted(Response r) throws Exception {
        assertEquals(ResponseCode.CONTENT, r.getCode(), r.getPayloadString());
        assertEquals(AccessGrant.CONTENT_FORMAT, r.getOptions().getContentFormat());
        return AccessGrant.decode(r.getPayload());
    }

    private static void assertRefused(Response r, ResponseCode code, String reasonStart) {
        assertEquals(code, r.getCode(), r.getPayloadString());
        assertTrue(r.getPayloadString().startsWith(reasonStart), "'" + r.getPayloadString() + "' starts with '"
                + reasonStart + "'");
        assertNotEquals(AccessGrant.CONTENT_FORMAT, r.getOptions().getContentFormat(), "no grant in a refusal");
    }

    /** Some line of {@code gateway}'s log has both parts (the log is written asynchronously: wait a little). */
    private void assertLogged(int gateway, String first, String then) throws InterruptedException {
        RunningTestnet.await("gateway " + gateway + " to log '" + first + "' ... '" + then + "'", Duration.ofSeconds(10),
                () -> net.log(gateway).lines().anyMatch(l -> l.contains(first) && l.contains(then)));
    }

    private long countGranted() {
        long n = 0;
        for (int g = 1; g <= 4; g++) {
            n += net.log(g).lines().filter(l -> l.contains("key server: access to") && l.contains(" granted to ")).count();
        }
        return n;
    }

    private void awaitHeight(int gateway, long height) throws InterruptedException {
        RunningTestnet.await("gateway " + gateway + " to commit height " + height, AGREE,
                () -> net.height(gateway), h -> h >= height);
    }

    /** The committed app hash (without the height) once every gateway agrees. */
    private String appHash() throws InterruptedException {
        String agreed = net.awaitSameAppHash(AGREE);
        return agreed.substring(agreed.indexOf('/') + 1);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** {@code openssl s_client -dtls1_2} against the clients' port; its whole output. */
    private String opensslClient(int port, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port));
        cmd.addAll(options);
        return run(cmd);
    }

    private String run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile(dir, "cmd", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return Files.readString(out);
    }
}
