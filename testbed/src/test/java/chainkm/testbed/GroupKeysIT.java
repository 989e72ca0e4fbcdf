package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.authz.ClientEndpoint;
import chainkm.cli.groups.GroupFollower;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.SessionBroadcast;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.objects.ResourceServer;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Self-healing group keys end to end, on a real 4-gateway testnet with a real device agent: the
 * device's home gateway runs the group of its resource {@code /temperature}; two clients get
 * tokens and access, and follow the sessions (as {@link GroupFollower}s, over the clients'
 * endpoint, checking the gateway signatures against genesis); the device follows them on its
 * MQTT session and holds the same keys. The owner deletes client A's token: a new session within
 * a block or two, which A cannot open while B and the device do; a broadcast dropped for B heals
 * from the next; a client C that joins later gets nothing earlier; forged and tampered broadcasts
 * are refused and change nothing; a restart of the home gateway keeps session numbers growing and
 * members' secrets valid.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupKeysIT extends SharedTestnetIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration SOON = Duration.ofSeconds(30);
    private static final String PATH = "/temperature";

    private final Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair alice = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair bob = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair carol = Ed25519.KeyPair.generate(RANDOM);
    private Path daveDir;
    private Ed25519.KeyPair dave;
    private final List<AutoCloseable> followers = new ArrayList<>();
    /** Every verified envelope any follower saw, by session. */
    private final Map<Long, byte[]> seen = new ConcurrentSkipListMap<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();

    private SimulatedDevices.Device device;
    private String group;
    private int home;
    private Policy policy;
    private Map<Integer, byte[]> genesis;

    private AccessToken aliceToken;
    private AccessToken bobToken;
    private AccessGrant bobGrant;
    private GroupFollower a;
    private GroupFollower b;
    private GroupFollower c;
    private long s;

    @BeforeAll
    void aDeviceWithAResourceAndAPolicy() throws Exception {
        // interval sessions off, so that every session here comes from a membership change or a restart
        net = RunningTestnet.start(dir, 4, generated -> {
            for (int g = 1; g <= 4; g++) {
                Path home = generated.resolve("gateway-" + g);
                GatewayConfig.load(home).withGroupSessions(0, 8).save(home);
            }
        });
        sim = SimulatedDevices.none(dir);
        device = sim.startOne("gk1", 1);
        home = setOwnerOf(device.node());
        group = "gk1" + PATH;
        genesis = Genesis.load(GatewayHome.at(dir.resolve("gateway-1")).genesis()).publicKeys();
        daveDir = dir.resolve("keys/dave");
        dave = chainkm.cli.authz.KeyDirectory.generate(daveDir, false);
        policy = Policy.sign(owner, "gk1", Aif.of(PATH, Aif.GET), 10_000,
                sorted(alice.publicKey(), bob.publicKey(), carol.publicKey(), dave.publicKey()), random(16));
        try (ClientEndpoint e = client(1, owner)) {
            Response r = e.post("policy", policy.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
        }
    }

    @AfterAll
    void stopFollowers() {
        for (AutoCloseable f : followers) {
            try {
                f.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
    }

    @Test
    @Order(1)
    void twoClientsAndTheDeviceDeriveTheSameSessionKeys() throws Exception {
        aliceToken = addToken(2, alice);
        bobToken = addToken(2, bob);
        AccessGrant ga = access(other(), alice, aliceToken);   // forwarded to the home gateway
        AccessGrant gb = access(home, bob, bobToken);
        bobGrant = gb;
        assertEquals(group, ga.group());
        assertTrue(ga.num() >= 1 && gb.num() >= 1, ga + " " + gb);
        a = follow(ga, "alice");
        b = follow(gb, "bob");

        long from = device.agent().joinGroup(PATH);
        assertTrue(from >= 1);
        s = awaitDeviceSession(from);
        awaitKey(a, s);
        awaitKey(b, s);
        byte[] k = device.agent().groups().key(PATH, s).orElseThrow();
        assertArrayEquals(k, a.key(s).orElseThrow(), "alice and the device hold the same K_" + s);
        assertArrayEquals(k, b.key(s).orElseThrow(), "bob and the device hold the same K_" + s);
        assertLogged(home, "group " + group + ": session " + s + " opened");

        // the device publishes its readings under its own group key (IoTChain's resource server):
        // alice reads them through the home gateway's caching proxy and opens them with her K_j
        device.agent().publishObjects(new ResourceServer.Options(List.of(PATH), Duration.ofMillis(300), null),
                device.agent().groupSessionKeys(), p -> "{\"celsius\": 21.5}".getBytes(StandardCharsets.UTF_8));
        ProtectedResource resource = new ProtectedResource(device.name(), PATH);
        byte[] deviceKey = Hex.decode(net.query(1, "/identity", device.name()).path("key").asText());
        String url = "coap://127.0.0.1:" + GatewayConfig.load(dir.resolve("gateway-" + home)).proxyPortOrDefault()
                + "/objects/" + device.name() + PATH;
        CoapClient reader = ProtectedObjectsIT.plainClient().setURI(url);
        try {
            byte[] object = RunningTestnet.await("the proxy to serve the device's object", SOON, () -> {
                try {
                    CoapResponse r = reader.get();
                    return r != null && r.getCode() == ResponseCode.CONTENT ? r.getPayload() : null;
                } catch (Exception e) {
                    return null;
                }
            }, java.util.Objects::nonNull);
            ProtectedObject o = SignedObject.decode(object).verify(resource, deviceKey);
            assertTrue(o.session() >= s, "sealed under a session alice holds: " + o.session());
            awaitKey(a, o.session());
            assertEquals("{\"celsius\": 21.5}", new String(o.open(resource, a.key(o.session()).orElseThrow()),
                    StandardCharsets.UTF_8), "alice opens the device's reading with her own K_j");
        } finally {
            reader.shutdown();
        }

        // the home keeps the group's state owner-only; no other gateway holds one
        Path groups = GatewayHome.at(dir.resolve("gateway-" + home)).groupsDir();
        try (var files = Files.list(groups)) {
            for (Path f : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
        assertFalse(Files.exists(GatewayHome.at(dir.resolve("gateway-" + other())).groupsDir()));
    }

    @Test
    @Order(2)
    void aDeletedTokenIsOutOfTheNextSessionAndADroppedBroadcastHealsFromTheNext() throws Exception {
        long next = s + 1;
        b.dropSessions(j -> j == next); // bob's network loses the broadcast of the revocation session
        long deleted = deleteToken(3, owner, aliceToken.cti());
        long sessionAt = awaitDeviceSession(next);
        assertEquals(next, sessionAt);
        // within a block or two of the deletion
        Matcher m = Pattern.compile("group " + Pattern.quote(group) + ": member " + Hex.encode(aliceToken.cti()).substring(0, 8)
                + " revoked on the ledger at height (\\d+)").matcher(awaitLog(home, "revoked on the ledger at height"));
        assertTrue(m.find(), "the home logs the revocation");
        assertTrue(Long.parseLong(m.group(1)) <= deleted + 2, "seen at height " + m.group(1) + ", deleted at " + deleted);

        RunningTestnet.await("alice to see session " + next, SOON, () -> seen.containsKey(next));
        Thread.sleep(1_000); // alice's follower has had the broadcast too
        assertTrue(a.key(next).isEmpty(), "a revoked member computes no key of the next session");
        assertTrue(b.key(next).isEmpty(), "bob's copy was dropped");

        // carol joins later: the session after heals bob's loss and includes carol
        AccessToken carolToken = addToken(2, carol);
        AccessGrant gc = access(home, carol, carolToken);
        c = follow(gc, "carol");
        long after = awaitDeviceSession(next + 1);
        awaitKey(b, after);
        awaitKey(c, after);
        byte[] lost = device.agent().groups().key(PATH, next).orElseThrow();
        assertArrayEquals(lost, b.key(next).orElseThrow(), "bob recovered the session he missed");
        assertArrayEquals(device.agent().groups().key(PATH, after).orElseThrow(), c.key(after).orElseThrow());
        assertArrayEquals(c.key(after).orElseThrow(), b.key(after).orElseThrow());

        // everything ever broadcast, given to alice and carol: alice nothing after s, carol nothing before her join
        for (byte[] envelope : seen.values()) {
            a.onEnvelope(envelope);
            c.onEnvelope(envelope);
        }
        for (long j = 1; j < after; j++) {
            assertTrue(c.key(j).isEmpty(), "carol, who joined later, has no key of session " + j);
        }
        for (long j = next; j <= after; j++) {
            assertTrue(a.key(j).isEmpty(), "alice, revoked, has no key of session " + j);
        }
        s = after;
    }

    @Test
    @Order(3)
    void forgedAndTamperedBroadcastsAreRefusedAndChangeNothing() throws Exception {
        byte[] real = seen.get(s);
        SessionBroadcast inside = GroupBroadcastEnvelope.decode(real).unverified();
        Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
        byte[] forged = GroupBroadcastEnvelope.sign(home, inside, mallory).encode();
        byte[] tampered = real.clone();
        tampered[tampered.length / 2] ^= 0x01;
        long bobLatest = b.latestSession();
        byte[] bobKey = b.key(s).orElseThrow();
        int before = refusals.size();
        assertEquals(List.of(), b.onEnvelope(forged), "signed by a key that is no gateway's");
        assertEquals(List.of(), b.onEnvelope(tampered));
        assertEquals(before + 2, refusals.size(), "both refused, each reported");
        assertEquals(bobLatest, b.latestSession());
        assertArrayEquals(bobKey, b.key(s).orElseThrow());
        // the device refuses the same on its side
        assertEquals(List.of(), device.agent().groups().onBroadcast(forged));
        assertEquals(s, device.agent().groups().current(PATH).orElseThrow().session());
    }

    @Test
    @Order(4)
    void aRestartOfTheHomeGatewayKeepsSessionNumbersGrowingAndMembersKeysValid() throws Exception {
        long before = s;
        net.net.stop(home);
        net.net.startGateway(home);
        net.net.awaitReady(Duration.ofSeconds(120));
        long restarted = awaitDeviceSession(before + 1);
        assertTrue(restarted > before, "session " + restarted + " after " + before);
        awaitKey(b, restarted);
        awaitKey(c, restarted);
        byte[] k = device.agent().groups().key(PATH, restarted).orElseThrow();
        assertArrayEquals(k, b.key(restarted).orElseThrow(), "bob's secret still opens the sessions");
        RunningTestnet.await("the broadcast of session " + restarted, SOON, () -> seen.containsKey(restarted));
        assertArrayEquals(k, c.key(restarted).orElseThrow());
        assertTrue(a.key(restarted).isEmpty());
        assertLogged(home, "group " + group + ": restored at session " + before);
        // a forwarding gateway reaches the restarted home (a new DTLS session) and bob's secret is unchanged
        AccessGrant again = access(other(), bob, bobToken);
        assertArrayEquals(bobGrant.key(), again.key(), "the same personal secret after the restart");
        assertEquals(restarted, again.num(), "num is the current session");
        GroupFollower check = GroupFollower.create(group, again.key(), genesis, null, (g, j, e, h) -> { });
        assertEquals(List.of(restarted), check.onEnvelope(seen.get(restarted)).stream()
                .filter(j -> j == restarted).toList(), "the granted secret opens the current session");
    }

    @Test
    @Order(5)
    void theCommandLineGetsAccessFollowsSessionsAndPrintsRefusals() throws Exception {
        Run none = run("access", "--client", daveDir.toString(), "--device", "gk1", "--resource", PATH,
                "--testnet", dir.toString(), "--gateway", "3");
        assertEquals(4, none.exit(), none.toString());
        assertEquals("NOT_FOUND", JSON.readTree(none.out()).path("name").asText(), none.out());

        AccessToken token = addToken(2, dave);
        Run ok = run("access", "--client", daveDir.toString(), "--device", "gk1", "--resource", PATH + ":GET",
                "--testnet", dir.toString(), "--gateway", "3");
        assertEquals(0, ok.exit(), ok.toString());
        JsonNode grant = JSON.readTree(ok.out());
        assertEquals(group, grant.path("group").asText());
        assertEquals(-65537, grant.path("gkty").asLong());
        assertTrue(grant.path("num").asLong() >= 1, ok.out());
        assertEquals(token.exp(), grant.path("exp").asLong());
        assertTrue(grant.path("key_fingerprint").asText().matches("[0-9a-f]{16}"), ok.out());
        assertEquals(Hex.encode(token.cti()), grant.path("cti").asText());
        assertFalse(grant.has("key"), "no key bytes");

        // through gateway 3, which is not the home: the follower finds the home and prints the session
        Run listen = run("group", "listen", "--client", daveDir.toString(), "--device", "gk1", "--resource", PATH,
                "--sessions", "1", "--testnet", dir.toString(), "--gateway", "3");
        assertEquals(0, listen.exit(), listen.toString());
        List<String> lines = listen.out().lines().toList();
        assertEquals("joined", JSON.readTree(lines.get(0)).path("event").asText(), listen.out());
        JsonNode session = JSON.readTree(lines.get(1));
        assertEquals("session", session.path("event").asText(), listen.out());
        assertEquals(group, session.path("group").asText());
        assertTrue(session.path("session").asLong() >= grant.path("num").asLong(), listen.out());
        assertTrue(Files.exists(daveDir.resolve("groups")), "the member's state is kept in the client directory");

        deleteToken(2, dave, token.cti());
        RunningTestnet.await("the deletion to reach gateway 3", SOON, () -> {
            Run r;
            try {
                r = run("access", "--client", daveDir.toString(), "--device", "gk1", "--resource", PATH, "--cti",
                        Hex.encode(token.cti()), "--testnet", dir.toString(), "--gateway", "3");
                return r.exit() == 4 && JSON.readTree(r.out()).path("code").asInt() == 401
                        && JSON.readTree(r.out()).path("name").asText().equals("UNAUTHORIZED")
                        && JSON.readTree(r.out()).path("reason").asText().startsWith("token revoked at height");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    // --- helpers --------------------------------------------------------------------------

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    record Run(int exit, String out, String err) {
    }

    /** {@code bin/chainkm ARGS} in a JVM of its own. */
    private Run run(String... args) throws Exception {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(ChainkmJvm.command("96m", List.of(args)))
                .redirectError(ProcessBuilder.Redirect.to(err.toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "chainkm " + String.join(" ", args));
        return new Run(p.exitValue(), out, Files.readString(err).trim());
    }

    private GroupFollower follow(AccessGrant g, String who) throws IOException {
        Ed25519.KeyPair key = who.equals("alice") ? alice : who.equals("bob") ? bob : carol;
        GroupFollower f = GroupFollower.create(g.group(), g.key(), genesis, dir.resolve("clients").resolve(who)
                .resolve("groups").resolve("member"), new GroupFollower.Listener() {
                    @Override
                    public void session(String group, long session, long epoch, boolean healed) {
                    }

                    @Override
                    public void refused(String why) {
                        refusals.add(who + ": " + why);
                    }

                    @Override
                    public void envelope(byte[] bytes) {
                        try {
                            seen.putIfAbsent(GroupBroadcastEnvelope.decode(bytes).unverified().session(), bytes);
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                });
        followers.add(f);
        int port = GatewayConfig.load(dir.resolve("gateway-" + home)).authzPortOrDefault();
        return f.follow(new InetSocketAddress("127.0.0.1", port), gatewayKey(home), key, Duration.ofSeconds(1));
    }

    private long awaitDeviceSession(long atLeast) throws InterruptedException {
        return RunningTestnet.await("the device to hold a key of session " + atLeast + " or later", SOON,
                () -> device.agent().groups().current(PATH).map(DeviceKeySession::of).orElse(0L), j -> j >= atLeast);
    }

    private static final class DeviceKeySession {
        static long of(chainkm.device.groups.GroupKeys.SessionKey k) {
            return k.session();
        }
    }

    private static void awaitKey(GroupFollower f, long session) throws InterruptedException {
        RunningTestnet.await(f.group() + " follower to compute K_" + session, SOON, () -> f.key(session).isPresent());
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

    private int other() {
        return home == 1 ? 3 : 1;
    }

    private static List<byte[]> sorted(byte[]... keys) {
        List<byte[]> l = new ArrayList<>(List.of(keys));
        l.sort(java.util.Arrays::compareUnsigned);
        return l;
    }

    private static byte[] random(int size) {
        byte[] r = new byte[size];
        RANDOM.nextBytes(r);
        return r;
    }

    private byte[] gatewayKey(int gateway) throws IOException {
        return GatewayKey.load(dir.resolve("gateway-" + gateway).resolve("gateway.key")).publicKey();
    }

    private ClientEndpoint client(int gateway, Ed25519.KeyPair key) throws IOException {
        int port = GatewayConfig.load(dir.resolve("gateway-" + gateway)).authzPortOrDefault();
        return ClientEndpoint.connect(port, key, gatewayKey(gateway));
    }

    private AccessToken addToken(int gateway, Ed25519.KeyPair key) throws Exception {
        TokenRequest request = TokenRequest.sign(key, policy.id(), "gk1", Aif.of(PATH, Aif.GET), 5_000, random(16), null);
        try (ClientEndpoint e = client(gateway, key)) {
            Response r = e.post("token", request.encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
            AccessToken t = AccessToken.decode(r.getPayload());
            RunningTestnet.await("every gateway to know the token", SOON, () -> {
                for (int g = 1; g <= 4; g++) {
                    if (net.height(g) < t.iat()) {
                        return false;
                    }
                }
                return true;
            });
            return t;
        }
    }

    private AccessGrant access(int gateway, Ed25519.KeyPair key, AccessToken token) throws Exception {
        try (ClientEndpoint e = client(gateway, key)) {
            Response r = e.post("access", new AccessRequest(token.cti(), "gk1", PATH, Aif.GET).encode());
            assertEquals(ResponseCode.CONTENT, r.getCode(), r.getPayloadString());
            return AccessGrant.decode(r.getPayload());
        }
    }

    private long deleteToken(int gateway, Ed25519.KeyPair signer, byte[] cti) throws Exception {
        try (ClientEndpoint e = client(gateway, signer)) {
            Response r = e.post("token-delete", TokenDeletion.sign(signer, cti).encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
            return Long.parseLong(r.getPayloadString().trim());
        }
    }

    private String awaitLog(int gateway, String text) throws InterruptedException {
        RunningTestnet.await("gateway " + gateway + " to log '" + text + "'", SOON, () -> net.log(gateway).contains(text));
        return net.log(gateway);
    }

    private void assertLogged(int gateway, String text) throws InterruptedException {
        awaitLog(gateway, text);
    }
}
