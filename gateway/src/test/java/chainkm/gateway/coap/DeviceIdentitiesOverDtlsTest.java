package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import chainkm.gateway.devices.GatewayDeviceService;
import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.keys.KeyManager;
import chainkm.gateway.keys.RekeyPublisher;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.StateStore;
import chainkm.gateway.submit.OneValidatorComet;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Rejoin;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tendermint.abci.Types.RequestInitChain;

/**
 * A device's life on one gateway, end to end through the real device service, submitter and
 * ledger contracts (a one-validator chain in miniature) and real DTLS handshakes with raw public
 * keys: enrolment key, activation, join v2, catch-up, MQTT, leave v2, revocation. Every attack
 * is refused with a reason and a log line and submits nothing.
 */
class DeviceIdentitiesOverDtlsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long REFUSED_TIMEOUT_MS = 2_000;

    @TempDir
    Path dir;
    private final Ed25519.KeyPair gw1 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair gw2 = Ed25519.KeyPair.generate(RANDOM);
    private LedgerApp app;
    private OneValidatorComet comet;
    private Submitter submitter;
    private KeyFeed feed;
    private CoapGatewayServer server;
    private final List<Integer> mqttIssued = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.ERROR);
    }

    @BeforeEach
    void startGateway() throws Exception {
        app = new LedgerApp(new StateStore(dir.resolve("ledger")));
        String appState = "{\"gateways\":[{\"id\":1,\"public_key\":\"" + Base64.getEncoder().encodeToString(gw1.publicKey())
                + "\"},{\"id\":2,\"public_key\":\"" + Base64.getEncoder().encodeToString(gw2.publicKey()) + "\"}]}";
        app.initChain(RequestInitChain.newBuilder().setChainId("test").setAppStateBytes(ByteString.copyFromUtf8(appState)).build());
        comet = new OneValidatorComet(app);
        submitter = new Submitter(app, comet, gw1, 1, Duration.ofMillis(300), null);
        Map<Integer, byte[]> kem = new TreeMap<>();
        for (int g = 1; g <= 2; g++) {
            kem.put(g, GatewaySecrets.generate(Files.createDirectories(dir.resolve("g" + g))));
        }
        GatewaySecrets secrets = GatewaySecrets.load(dir.resolve("g1"), 1, kem);
        feed = new KeyFeed(app, new KeyManager(1, secrets, gw1), new RekeyPublisher() {
            @Override
            public void publish(String topic, byte[] message) {
            }

            @Override
            public void close() {
            }
        });
        GatewayDeviceService service = new GatewayDeviceService(app, submitter, feed, secrets);
        server = CoapGatewayServer.start(service, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gw1, node -> {
            mqttIssued.add(node);
            return MqttCredential.of("device", "password");
        });
    }

    @AfterEach
    void stop() {
        server.close();
        feed.close();
        submitter.close();
    }

    private DtlsTestClient device(Ed25519.KeyPair key) throws IOException {
        return DtlsTestClient.device(server.port(), key, gw1.publicKey());
    }

    /** Enrolls {@code name} with a new one-time enrollment key through gateway 1 (what {@code provision} does). */
    private Ed25519.KeyPair enroll(String name) throws Exception {
        Ed25519.KeyPair enrollment = Ed25519.KeyPair.generate(RANDOM);
        assertTrue(submitter.submit(Submitter.Request.enroll(new DeviceEnrollment(name, enrollment.publicKey())),
                SubmitMode.COMMIT).first().committed(), "enrollment of " + name);
        return enrollment;
    }

    /** Enrolls and activates {@code name} over DTLS; returns its identity key. */
    private Ed25519.KeyPair activeDevice(String name) throws Exception {
        Ed25519.KeyPair enrollment = enroll(name);
        Ed25519.KeyPair identity = Ed25519.KeyPair.generate(RANDOM);
        try (DtlsTestClient client = device(enrollment)) {
            Response r = client.post("activate", IdentityActivation.sign(name, enrollment, identity).encode());
            assertEquals(ResponseCode.CHANGED, r.getCode(), r.getPayloadString());
        }
        return identity;
    }

    private DeviceIdentity identity(String name) {
        return app.readCommitted(s -> s.identity(name)).orElseThrow();
    }

    private static JoinRequest joinRequest(String name, Ed25519.KeyPair key) {
        byte[] commitment = new byte[32];
        RANDOM.nextBytes(commitment);
        return JoinRequest.sign(name, commitment, key);
    }

    private static int nodeOf(Response joined) throws Exception {
        assertEquals(ResponseCode.CHANGED, joined.getCode(), joined.getPayloadString());
        return JoinBundle.decode(joined.getPayload()).nodeId();
    }

    private void assertRefusedAtHandshake(Ed25519.KeyPair key) throws IOException {
        try (DtlsTestClient client = DtlsTestClient.device(server.port(), key, gw1.publicKey(), REFUSED_TIMEOUT_MS)) {
            assertThrows(IOException.class, () -> client.get("catchup", "after=0"));
        }
    }

    @Test
    void aDeviceActivatesJoinsCatchesUpAndLeavesAndIsThenRefusedEverywhere() throws Exception {
        Ed25519.KeyPair enrollment = enroll("dev-a");
        Ed25519.KeyPair identityKey = Ed25519.KeyPair.generate(RANDOM);
        byte[] activation = IdentityActivation.sign("dev-a", enrollment, identityKey).encode();
        try (LogLines log = new LogLines()) {
            try (DtlsTestClient first = device(enrollment)) {
                // the enrollment key only activates
                Response join = first.post("join", joinRequest("dev-a", enrollment).encode());
                assertEquals(ResponseCode.FORBIDDEN, join.getCode());
                assertEquals(ResponseCode.CHANGED, first.post("activate", activation).getCode());
                assertEquals(DeviceIdentity.State.ACTIVE, identity("dev-a").state());
                // the answer was lost: the retry on the same session is told it is done, nothing is submitted
                int broadcasts = comet.totalBroadcasts();
                Response again = first.post("activate", activation);
                assertEquals(ResponseCode.CHANGED, again.getCode(), again.getPayloadString());
                assertEquals(broadcasts, comet.totalBroadcasts());
            }
            // after activation the enrollment key opens nothing
            assertRefusedAtHandshake(enrollment);
            assertEquals(1, log.count("DTLS handshake refused: unknown key " + DevicePeers.shortHex(enrollment.publicKey())),
                    log.all().toString());
        }

        int node;
        try (DtlsTestClient device = device(identityKey)) {
            node = nodeOf(device.post("join", joinRequest("dev-a", identityKey).encode()));
            assertEquals(node, identity("dev-a").node());
            // a retry (the device crashed before saving its bundle) gets the same node, nothing submitted
            int broadcasts = comet.totalBroadcasts();
            assertEquals(node, nodeOf(device.post("join", joinRequest("dev-a", identityKey).encode())));
            assertEquals(broadcasts, comet.totalBroadcasts());

            assertEquals(ResponseCode.CONTENT, device.get("catchup", "after=0").getCode());
            assertEquals(ResponseCode.CONTENT, device.get("mqtt", "").getCode());
            assertEquals(List.of(node), mqttIssued);

            // another node's leave or rejoin: refused, nothing submitted
            Response leaveOther = device.post("leave", LeaveRequest.sign("dev-a", node + 1, identityKey).encode());
            assertEquals(ResponseCode.FORBIDDEN, leaveOther.getCode());
            Response rejoinOther = device.post("rejoin", new Rejoin.Request(node + 1, 1, new byte[32]).encode());
            assertEquals(ResponseCode.FORBIDDEN, rejoinOther.getCode());
            assertEquals(broadcasts, comet.totalBroadcasts());

            Response left = device.post("leave", LeaveRequest.sign("dev-a", node, identityKey).encode());
            assertEquals(ResponseCode.CHANGED, left.getCode(), left.getPayloadString());
            assertEquals(DeviceIdentity.State.REVOKED, identity("dev-a").state());
            assertTrue(app.readCommitted(s -> s.member(node)).isEmpty());

            // revoked while its session is still open: every resource refuses it from now on
            try (LogLines log = new LogLines()) {
                for (String path : List.of("catchup", "mqtt")) {
                    Response r = device.get(path, path.equals("catchup") ? "after=0" : "");
                    assertEquals(ResponseCode.FORBIDDEN, r.getCode(), path);
                    assertEquals("identity revoked", r.getPayloadString());
                }
                assertEquals(ResponseCode.FORBIDDEN, device.post("join", joinRequest("dev-a", identityKey).encode()).getCode());
                assertEquals(3, log.count("refused: identity revoked dev-a"), log.all().toString());
            }
        }
        assertEquals(List.of(node), mqttIssued);
        try (LogLines log = new LogLines()) {
            assertRefusedAtHandshake(identityKey);
            assertEquals(1, log.count("DTLS handshake refused: revoked identity dev-a"), log.all().toString());
        }
    }

    @Test
    void aKeyUnknownToTheLedgerCannotConnect() throws Exception {
        try (LogLines log = new LogLines()) {
            Ed25519.KeyPair stranger = Ed25519.KeyPair.generate(RANDOM);
            assertRefusedAtHandshake(stranger);
            assertEquals(1, log.count("DTLS handshake refused: unknown key " + DevicePeers.shortHex(stranger.publicKey())));
        }
        assertEquals(0, comet.totalBroadcasts());
    }

    @Test
    void aJoinCarryingAnotherIdentitysSignedCommitmentIsRefusedAndNothingIsSubmitted() throws Exception {
        Ed25519.KeyPair a = activeDevice("dev-a");
        Ed25519.KeyPair b = activeDevice("dev-b");
        JoinRequest ofA = joinRequest("dev-a", a);
        int broadcasts = comet.totalBroadcasts();
        try (LogLines log = new LogLines(); DtlsTestClient asB = device(b)) {
            // dev-b (or a gateway that copied it) replays dev-a's commitment and signature under its own name
            Response r = asB.post("join", ofA.encode());
            assertEquals(ResponseCode.FORBIDDEN, r.getCode());
            assertEquals("the join's signature does not verify under dev-b's key", r.getPayloadString());
            assertEquals(1, log.count("join of dev-b refused: its signature does not verify"), log.all().toString());
        }
        assertEquals(broadcasts, comet.totalBroadcasts(), "nothing submitted");
        assertEquals(0, identity("dev-b").node());
        try (DtlsTestClient asA = device(a)) {
            assertTrue(nodeOf(asA.post("join", ofA.encode())) > 0, "the real device still joins with its commitment");
        }
    }

    @Test
    void onlyTheEnrollmentKeyOfTheNamedIdentityActivatesIt() throws Exception {
        Ed25519.KeyPair c = enroll("dev-c");
        Ed25519.KeyPair d = enroll("dev-d");
        Ed25519.KeyPair stolen = Ed25519.KeyPair.generate(RANDOM);
        int broadcasts = comet.totalBroadcasts();
        try (LogLines log = new LogLines(); DtlsTestClient asD = device(d)) {
            // dev-d's bundle holder tries to put a key of its own on dev-c, with dev-c's enrollment signature even
            Response r = asD.post("activate", IdentityActivation.sign("dev-c", c, stolen).encode());
            assertEquals(ResponseCode.FORBIDDEN, r.getCode());
            assertEquals("only dev-c's enrollment key may activate it", r.getPayloadString());
            assertEquals(1, log.count("activation of dev-c refused: the session's key is not its enrollment key"));
        }
        assertEquals(broadcasts, comet.totalBroadcasts(), "nothing submitted");
        assertEquals(DeviceIdentity.State.ENROLLED, identity("dev-c").state());
        // a forged activation on its own session reaches the ledger, which refuses it with its reason
        try (DtlsTestClient asC = device(c)) {
            Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
            IdentityActivation good = IdentityActivation.sign("dev-c", c, stolen);
            IdentityActivation forged = new IdentityActivation("dev-c", stolen.publicKey(), good.enrollmentSignature(),
                    IdentityActivation.sign("dev-c", c, other).identitySignature());
            Response r = asC.post("activate", forged.encode());
            assertEquals(ResponseCode.FORBIDDEN, r.getCode());
            assertTrue(r.getPayloadString().startsWith("the ledger refused the activation: code 24"), r.getPayloadString());
        }
        assertEquals(DeviceIdentity.State.ENROLLED, identity("dev-c").state());
    }
}
