package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.GatewayConfig;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 4: the authorization commands of {@code bin/chainkm} as a user runs them, each
 * in its own process, on a 4-gateway testnet. An owner and two clients make keys; the owner puts
 * an allow-list policy through gateway 1; Alice adds a token through gateway 2 and every gateway
 * shows the same one; refused requests exit with 4 and the ledger's reason and change nothing; a
 * voucher-mode policy lets Bob in with the owner's voucher (through a remote-style gateway
 * address), and nobody else with it; the owner deletes Alice's token and removes the policy.
 */
class AuthzCliIT extends ScenarioIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration AGREE = Duration.ofSeconds(60);

    private Path owner;
    private Path alice;
    private Path bob;
    private Path carol;
    private String device;
    private String policyId;
    private String aliceCti;
    private String voucherPolicyId;
    private Path voucherFile;

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    @BeforeAll
    void start() throws Exception {
        net = RunningTestnet.start(dir, 4);
        owner = dir.resolve("keys/owner");
        alice = dir.resolve("keys/alice");
        bob = dir.resolve("keys/bob");
        carol = dir.resolve("keys/carol");
        // a ledger device identity, so that its home gateway's key server manages its groups
        int node = net.join(1).commit().nodeId();
        device = net.node(node).json().path("identity").asText();
        assertFalse(device.isEmpty(), "the joined node has a device identity");
    }

    /** {@code bin/chainkm ARGS} in a JVM of its own; stdout is the command's JSON. */
    private Run run(String... args) throws Exception {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(ChainkmJvm.command("96m", List.of(args)))
                .redirectError(ProcessBuilder.Redirect.to(err.toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chainkm " + String.join(" ", args) + " did not end");
        return new Run(p.exitValue(), out, Files.readString(err).trim());
    }

    /** Runs and checks the exit code, showing what the command said when it is another. */
    private Run run(int expectedExit, String... args) throws Exception {
        Run r = run(args);
        assertEquals(expectedExit, r.exit(), "exit code of chainkm " + String.join(" ", args) + "\nstdout: " + r.out()
                + "\nstderr: " + r.err());
        return r;
    }

    /** ARGS with {@code --testnet DIR --gateway N}. */
    private String[] at(int gateway, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--testnet", dir.toString(), "--gateway", Integer.toString(gateway)));
        return all.toArray(String[]::new);
    }

    private String appHash() throws InterruptedException {
        String agreed = net.awaitSameAppHash(AGREE);
        return agreed.substring(agreed.indexOf('/') + 1);
    }

    private static void assertRefused(Run r, int code, String name) throws Exception {
        JsonNode j = r.json();
        assertTrue(j.path("refused").asBoolean(), r.out());
        assertEquals(code, j.path("code").asInt(), r.out());
        assertEquals(name, j.path("name").asText(), r.out());
        assertFalse(j.path("reason").asText().isBlank(), r.out());
    }

    private static String publicKey(Path keyDir) throws Exception {
        return Files.readString(keyDir.resolve("client.pub")).trim();
    }

    @Test
    @Order(1)
    void anOwnerAndClientsMakeKeyPairs() throws Exception {
        for (Path p : List.of(owner, alice, bob, carol)) {
            JsonNode j = run(0, "client", "keygen", "--out", p.toString()).json();
            assertEquals(publicKey(p), j.path("public_key").asText());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p.resolve("client.key"))));
        }
        String before = Files.readString(owner.resolve("client.key"));
        Run again = run(1, "client", "keygen", "--out", owner.toString());
        assertTrue(again.err().contains("--force"), again.err());
        assertEquals(before, Files.readString(owner.resolve("client.key")), "the owner's key is kept");
    }

    @Test
    @Order(2)
    void theOwnerPutsAnAllowListPolicyThroughGateway1() throws Exception {
        JsonNode put = run(0, at(1, "policy", "put", "--owner", owner.toString(), "--device", device,
                "--resource", "/light:GET,PUT", "--max-lifetime", "1000", "--client", alice.toString())).json();
        policyId = put.path("id").asText();
        assertEquals(64, policyId.length(), put.toString());
        assertEquals(publicKey(owner), put.path("owner").asText());
        assertEquals("[[\"/light\",5]]", put.path("scope").toString());
        assertEquals("[\"" + publicKey(alice) + "\"]", put.path("clients").toString());
        assertTrue(put.path("height").asLong() > 0);

        appHash();
        JsonNode shown = run(0, at(3, "policy", "show", policyId)).json();
        ObjectNode expected = put.deepCopy();
        expected.remove("height");
        assertEquals(expected, shown, "gateway 3's ledger has the policy as put");
        JsonNode all = run(0, at(4, "policy", "show")).json();
        assertTrue(all.path("policies").toString().contains(policyId), all.toString());
    }

    @Test
    @Order(3)
    void aliceAddsATokenThroughGateway2AndEveryGatewayShowsIt() throws Exception {
        JsonNode token = run(0, at(2, "token", "add", "--client", alice.toString(), "--policy", policyId, "--device", device,
                "--resource", "/light", "--lifetime", "500")).json();
        aliceCti = token.path("cti").asText();
        assertEquals("live", token.path("state").asText());
        assertEquals(device, token.path("aud").asText());
        assertEquals("[[\"/light\",1]]", token.path("scope").toString());
        assertEquals(token.path("iat").asLong() + 500, token.path("exp").asLong());
        assertEquals(publicKey(alice), token.path("client").asText());
        assertEquals(policyId, token.path("policy").asText());

        appHash();
        for (int g = 1; g <= 4; g++) {
            assertEquals(token, run(0, at(g, "token", "get", aliceCti)).json(), "gateway " + g + "'s ledger has the token");
        }
        JsonNode list = run(0, at(3, "token", "list", "--client", publicKey(alice))).json();
        assertEquals(publicKey(alice), list.path("client").asText());
        assertEquals(1, list.path("tokens").size(), list.toString());
        assertEquals(token, list.path("tokens").get(0));

        // the key server of gateway 3 (not the device's home) checks the token, the home hands out the material
        JsonNode access = run(0, at(3, "access", "--client", alice.toString(), "--device", device, "--resource", "/light"))
                .json();
        assertEquals(device + "/light", access.path("group").asText(), access.toString());
        assertEquals(aliceCti, access.path("cti").asText(), "the client's live token, found on the ledger");
        assertEquals(32, access.path("key_length").asInt());
        assertEquals(token.path("exp").asLong(), access.path("exp").asLong());
        assertTrue(access.path("key_fingerprint").asText().matches("[0-9a-f]{16}"), access.toString());
        assertEquals(access.path("key_fingerprint"), run(0, at(1, "access", "--client", alice.toString(), "--device", device,
                "--resource", "/light")).json().path("key_fingerprint"), "the same personal secret from the home gateway");
        // refusals of the key server exit 4 with the CoAP code and its reason
        Run put = run(4, at(3, "access", "--client", alice.toString(), "--device", device, "--resource", "/light:PUT"));
        assertRefused(put, 403, "FORBIDDEN");
        assertTrue(put.json().path("reason").asText().contains("scope does not cover PUT on /light"), put.out());
        Run stolen = run(4, at(2, "access", "--client", carol.toString(), "--device", device, "--resource", "/light",
                "--cti", aliceCti));
        assertRefused(stolen, 401, "UNAUTHORIZED");
        assertEquals("token bound to another key", stolen.json().path("reason").asText(), stolen.out());
        assertRefused(run(4, at(2, "access", "--client", bob.toString(), "--device", device, "--resource", "/light")), 1,
                "NOT_FOUND");
    }

    @Test
    @Order(4)
    void refusedRequestsExitWithFourAndTheLedgersReasonAndChangeNothing() throws Exception {
        String before = appHash();
        // Bob is not on the allow-list
        assertRefused(run(4, at(2, "token", "add", "--client", bob.toString(), "--policy", policyId, "--device", device,
                "--resource", "/light", "--lifetime", "10")), 43, "NOT_ALLOWED");
        // Alice holds a live token under this policy already
        assertRefused(run(4, at(3, "token", "add", "--client", alice.toString(), "--policy", policyId, "--device", device,
                "--resource", "/light", "--lifetime", "10")), 45, "DUPLICATE");
        // longer than the policy allows
        assertRefused(run(4, at(1, "token", "add", "--client", alice.toString(), "--policy", policyId, "--device", device,
                "--resource", "/light", "--lifetime", "1001")), 44, "LIFETIME_TOO_LONG");
        // Bob deleting Alice's token
        assertRefused(run(4, at(4, "token", "delete", "--as", bob.toString(), aliceCti)), 48, "DELETE_NOT_ALLOWED");
        assertEquals(before, appHash(), "a refused request changed the ledger");
        assertTrue(net.log(2).contains("refused by the ledger: code 43"), "gateway 2 logs the refusal");
        assertEquals("live", run(0, at(1, "token", "get", aliceCti)).json().path("state").asText());
    }

    @Test
    @Order(5)
    void aVoucherLetsBobInThroughAGatewayAddressAndNobodyElse() throws Exception {
        JsonNode put = run(0, at(1, "policy", "put", "--owner", owner.toString(), "--device", device,
                "--resource", "/state:GET", "--max-lifetime", "100", "--voucher-mode")).json();
        voucherPolicyId = put.path("id").asText();
        assertEquals("voucher", put.path("who").asText());
        voucherFile = dir.resolve("bob.voucher");
        long until = net.height(1) + 1000;
        JsonNode v = run(0, "voucher", "--owner", owner.toString(), "--policy", voucherPolicyId, "--client", bob.toString(),
                "--until", Long.toString(until), "--out", voucherFile.toString()).json();
        assertEquals(publicKey(bob), v.path("client").asText());
        assertEquals(until, v.path("until").asLong());
        assertEquals(v.path("voucher").asText(), Files.readString(voucherFile).trim());

        // as from another machine: the client endpoint's address and the gateway's key from genesis
        Path home4 = dir.resolve("gateway-4");
        GatewayConfig config = GatewayConfig.load(home4);
        String gatewayKey = Hex.encode(Genesis.load(GatewayHome.at(home4).genesis()).publicKeys().get(4));
        String address = config.coapHost() + ":" + config.authzPortOrDefault();
        JsonNode token = run(0, "token", "add", "--client", bob.toString(), "--policy", voucherPolicyId, "--device", device,
                "--resource", "/state", "--lifetime", "50", "--voucher", voucherFile.toString(),
                "--gateway-address", address, "--gateway-key", gatewayKey).json();
        assertEquals(publicKey(bob), token.path("client").asText());
        assertEquals("live", run(0, at(2, "token", "get", token.path("cti").asText())).json().path("state").asText());

        // Carol with Bob's voucher: refused
        assertRefused(run(4, at(3, "token", "add", "--client", carol.toString(), "--policy", voucherPolicyId,
                "--device", device, "--resource", "/state", "--lifetime", "50", "--voucher", voucherFile.toString())),
                43, "NOT_ALLOWED");
        // a gateway address with another key: the handshake fails, nothing is sent
        String wrongKey = Hex.encode(Genesis.load(GatewayHome.at(home4).genesis()).publicKeys().get(1));
        Run wrong = run(1, "token", "delete", "--as", bob.toString(), token.path("cti").asText(),
                "--gateway-address", address, "--gateway-key", wrongKey, "--timeout", "20");
        assertTrue(wrong.err().contains(address) && wrong.err().contains("signing key"), wrong.err());
        assertEquals("", wrong.out());
    }

    @Test
    @Order(6)
    void theOwnerDeletesAlicesTokenAndItShowsRevokedEverywhere() throws Exception {
        JsonNode deleted = run(0, at(3, "token", "delete", "--as", owner.toString(), aliceCti)).json();
        assertEquals(aliceCti, deleted.path("deleted").asText());
        assertEquals(publicKey(owner), deleted.path("by").asText());
        appHash();
        for (int g = 1; g <= 4; g++) {
            JsonNode t = run(0, at(g, "token", "get", aliceCti)).json();
            assertEquals("revoked", t.path("state").asText(), "gateway " + g + ": " + t);
            assertEquals(deleted.path("height").asLong(), t.path("revoked_height").asLong());
        }
        assertEquals(0, run(0, at(2, "token", "list", "--client", alice.toString())).json().path("tokens").size());
        assertRefused(run(4, at(1, "token", "delete", "--as", alice.toString(), aliceCti)), 47, "UNKNOWN_TOKEN");
        Run revoked = run(4, at(4, "access", "--client", alice.toString(), "--device", device, "--resource", "/light",
                "--cti", aliceCti));
        assertRefused(revoked, 401, "UNAUTHORIZED");
        assertTrue(revoked.json().path("reason").asText().startsWith("token revoked at height"), revoked.out());
    }

    @Test
    @Order(7)
    void theOwnerRemovesThePolicyAndItIsGone() throws Exception {
        JsonNode removed = run(0, at(4, "policy", "remove", "--owner", owner.toString(), policyId)).json();
        assertEquals(policyId, removed.path("removed").asText());
        appHash();
        assertRefused(run(4, at(1, "policy", "show", policyId)), 1, "NOT_FOUND");
        assertRefused(run(4, at(2, "token", "add", "--client", alice.toString(), "--policy", policyId, "--device", device,
                "--resource", "/light", "--lifetime", "10")), 40, "UNKNOWN_POLICY");
        // Bob cannot remove the owner's other policy
        assertRefused(run(4, at(2, "policy", "remove", "--owner", bob.toString(), voucherPolicyId)), 41,
                "BAD_OWNER_SIGNATURE");
        assertTrue(run(0, at(3, "policy", "show", voucherPolicyId)).json().path("id").asText().equals(voucherPolicyId));
    }
}
