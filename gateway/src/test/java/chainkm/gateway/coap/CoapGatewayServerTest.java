package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.DeviceIdentity.State;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.NodeIdentity;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Rejoin;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The device endpoint over real Scandium handshakes on loopback: who may ask what, decided by the
 * raw public key of the session and the (fake) ledger at the time of each request.
 */
class CoapGatewayServerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] BUNDLE = "join bundle of dev-42".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GATEWAY_3_PSK = "pair-secret-psk-of-gateway-3".getBytes(StandardCharsets.US_ASCII);
    private static final long REFUSED_TIMEOUT_MS = 2_000;

    private final Ed25519.KeyPair gatewayKey = Ed25519.KeyPair.generate(RANDOM);
    /** Enrolled, not activated: its key is the bundle's one-time enrollment key. */
    private final Ed25519.KeyPair enrollmentKey = Ed25519.KeyPair.generate(RANDOM);
    /** Active, not joined yet. */
    private final Ed25519.KeyPair freshKey = Ed25519.KeyPair.generate(RANDOM);
    /** Active members: dev-42 (node 42, set 0) and dev-7 (node 7, set 3). */
    private final Ed25519.KeyPair key42 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair key7 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair revokedKey = Ed25519.KeyPair.generate(RANDOM);

    private final FakeDeviceService service = new FakeDeviceService();
    private final List<Integer> mqttAsked = new java.util.concurrent.CopyOnWriteArrayList<>();
    private CoapGatewayServer server;

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.ERROR);
    }

    private static DeviceIdentity identity(String name, State state, Ed25519.KeyPair key, int node) {
        return new DeviceIdentity(name, state, key.publicKey(), 1, 5, node);
    }

    @BeforeEach
    void startServer() {
        service.identity(identity("dev-new", State.ENROLLED, enrollmentKey, 0));
        service.identity(identity("dev-fresh", State.ACTIVE, freshKey, 0));
        service.identity(identity("dev-42", State.ACTIVE, key42, 42));
        service.identity(identity("dev-7", State.ACTIVE, key7, 7));
        service.identity(identity("dev-gone", State.REVOKED, revokedKey, 9));
        service.gatewayPsks.put(3, GATEWAY_3_PSK);
        service.bundles.put("dev-fresh", BUNDLE);
        service.bundles.put("dev-42", BUNDLE);
        service.sets.put(7, 3);
        service.sets.put(42, 0);
        server = start();
    }

    private CoapGatewayServer start() {
        return CoapGatewayServer.start(service, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), gatewayKey,
                node -> {
                    mqttAsked.add(node);
                    if (node != 42) {
                        throw new IOException("node " + node + " is not a member");
                    }
                    return MqttCredential.of("dev-42", "pw-of-42");
                });
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private DtlsTestClient device(Ed25519.KeyPair key) throws IOException {
        return DtlsTestClient.device(server.port(), key, gatewayKey.publicKey());
    }

    private static byte[] joinBody(String name, Ed25519.KeyPair key) {
        byte[] commitment = new byte[32];
        RANDOM.nextBytes(commitment);
        return JoinRequest.sign(name, commitment, key).encode();
    }

    // --- who may do what -------------------------------------------------------------------

    @Test
    void anEnrollmentKeyCanOnlyActivate() throws IOException {
        Ed25519.KeyPair identityKey = Ed25519.KeyPair.generate(RANDOM);
        try (DtlsTestClient device = device(enrollmentKey)) {
            Response ok = device.post("activate", IdentityActivation.sign("dev-new", enrollmentKey, identityKey).encode());
            assertEquals(ResponseCode.CHANGED, ok.getCode(), ok.getPayloadString());
            assertEquals(List.of("dev-new:" + DevicePeers.shortHex(enrollmentKey.publicKey())), service.activated);

            Response join = device.post("join", joinBody("dev-new", enrollmentKey));
            assertEquals(ResponseCode.FORBIDDEN, join.getCode());
            assertTrue(join.getPayloadString().contains("enrollment key only activates"), join.getPayloadString());
            for (String path : List.of("catchup?after=0", "mqtt", "node/7")) {
                String[] p = path.split("\\?");
                assertEquals(ResponseCode.FORBIDDEN, device.get(p[0], p.length > 1 ? p[1] : "").getCode(), path);
            }
            assertEquals(ResponseCode.FORBIDDEN, device.post("leave", LeaveRequest.sign("dev-new", 42, enrollmentKey).encode())
                    .getCode());
        }
        assertEquals(1, service.calls(), "only the activation reached the key manager");
    }

    @Test
    void anActivationTheServiceRefusesIsForbiddenWithItsReason() throws IOException {
        service.refusal = DeviceServiceException.forbidden("the ledger refused the activation: code 23 KEY_IN_USE");
        try (DtlsTestClient device = device(enrollmentKey)) {
            Response r = device.post("activate",
                    IdentityActivation.sign("dev-new", enrollmentKey, Ed25519.KeyPair.generate(RANDOM)).encode());
            assertEquals(ResponseCode.FORBIDDEN, r.getCode());
            assertEquals("the ledger refused the activation: code 23 KEY_IN_USE", r.getPayloadString());
            assertEquals(ResponseCode.BAD_REQUEST, device.post("activate", new byte[40]).getCode());
        }
    }

    @Test
    void anActiveKeyJoinsAndGetsItsBundle() throws IOException {
        try (DtlsTestClient device = device(freshKey)) {
            Response response = device.post("join", joinBody("dev-fresh", freshKey));
            assertEquals(ResponseCode.CHANGED, response.getCode(), response.getPayloadString());
            assertArrayEquals(BUNDLE, response.getPayload());
            assertEquals(MediaTypeRegistry.APPLICATION_OCTET_STREAM, response.getOptions().getContentFormat());
            // not a member yet: nothing but join (and activate) for it
            assertEquals(ResponseCode.FORBIDDEN, device.get("catchup", "after=0").getCode());
            assertEquals(ResponseCode.FORBIDDEN, device.get("mqtt", "").getCode());
        }
        assertEquals(List.of("dev-fresh"), service.joined, "the name is the session's");
        assertEquals(List.of(), mqttAsked);
    }

    @Test
    void aVersion1OrMalformedJoinIsABadRequest() throws IOException {
        try (DtlsTestClient device = device(freshKey)) {
            Response v1 = device.post("join", new byte[32]);
            assertEquals(ResponseCode.BAD_REQUEST, v1.getCode());
            assertTrue(v1.getPayloadString().startsWith("join v2 carries"), v1.getPayloadString());
            for (int size : new int[] {0, 95, 97}) {
                assertEquals(ResponseCode.BAD_REQUEST, device.post("join", new byte[size]).getCode(), size + " bytes");
            }
            assertEquals(ResponseCode.METHOD_NOT_ALLOWED, device.get("join", "").getCode());
        }
        assertTrue(service.joined.isEmpty(), "a malformed join never reaches the key manager");
    }

    @Test
    void aJoinRefusalIsForbiddenAndAFailureUnavailable() throws IOException {
        try (DtlsTestClient device = device(freshKey)) {
            service.refusal = DeviceServiceException.forbidden("the ledger refused the join: code 24 BAD_DEVICE_SIGNATURE");
            Response refused = device.post("join", joinBody("dev-fresh", freshKey));
            assertEquals(ResponseCode.FORBIDDEN, refused.getCode());
            assertEquals("the ledger refused the join: code 24 BAD_DEVICE_SIGNATURE", refused.getPayloadString());
            service.refusal = new DeviceServiceException("ledger unreachable");
            Response failed = device.post("join", joinBody("dev-fresh", freshKey));
            assertEquals(ResponseCode.SERVICE_UNAVAILABLE, failed.getCode());
            assertEquals("ledger unreachable", failed.getPayloadString());
        }
    }

    @Test
    void aMemberCatchesUpOnItsOwnNodesMessagesInOrder() throws IOException {
        List<byte[]> messages = messages(5, 40);
        service.rekeys.put(42, messages);
        service.rekeys.put(7, messages(3, 10));
        try (DtlsTestClient node = device(key42)) {
            Response response = node.get("catchup", "after=2");
            assertEquals(ResponseCode.CONTENT, response.getCode());
            assertMessages(messages.subList(2, 5), response.getPayload());
            Response none = node.get("catchup", "after=5");
            assertEquals(ResponseCode.CONTENT, none.getCode());
            assertEquals(0, none.getPayloadSize());
        }
        assertEquals(List.of(42, 42), service.caughtUp, "the node is the session identity's");
    }

    @Test
    void aMemberGetsItsOwnMqttCredentialAndOnlyItsOwn() throws Exception {
        try (DtlsTestClient node = device(key42)) {
            Response r = node.get("mqtt", "");
            assertEquals(ResponseCode.CONTENT, r.getCode());
            assertEquals(MqttCredential.of("dev-42", "pw-of-42"), MqttCredential.decode(r.getPayload()));
            // the node is the DTLS identity's; a query naming another node is refused, not obeyed
            assertEquals(ResponseCode.BAD_REQUEST, node.get("mqtt", "node=7").getCode());
        }
        assertEquals(List.of(42), mqttAsked);
        try (DtlsTestClient seven = device(key7)) {
            Response r = seven.get("mqtt", "");
            assertEquals(ResponseCode.SERVICE_UNAVAILABLE, r.getCode());
            assertTrue(r.getPayloadString().contains("not a member"), r.getPayloadString());
        }
    }

    @Test
    void aMemberLeavesAndIsToldTheCommitHeight() throws IOException {
        try (DtlsTestClient node = device(key42)) {
            Response response = node.post("leave", LeaveRequest.sign("dev-42", 42, key42).encode());
            assertEquals(ResponseCode.CHANGED, response.getCode(), response.getPayloadString());
            assertEquals("77", response.getPayloadString());
        }
        assertEquals(List.of(42), service.left);
    }

    @Test
    void aLeaveOrRejoinForAnotherNodeIsForbiddenAndNothingReachesTheKeyManager() throws IOException {
        try (LogLines log = new LogLines(); DtlsTestClient node = device(key42)) {
            Response leave = node.post("leave", LeaveRequest.sign("dev-42", 7, key42).encode());
            assertEquals(ResponseCode.FORBIDDEN, leave.getCode());
            assertEquals("node 42 may only ask to leave for itself, not for node 7", leave.getPayloadString());
            Response rejoin = node.post("rejoin", new Rejoin.Request(7, 3, new byte[32]).encode());
            assertEquals(ResponseCode.FORBIDDEN, rejoin.getCode());
            assertEquals("node 42 may only rejoin as itself, not as node 7", rejoin.getPayloadString());
            assertEquals(1, log.count("leave refused: device dev-42 (node 42) asked to remove node 7"), log.all().toString());
            assertEquals(1, log.count("rejoin refused: device dev-42 (node 42) asked to rejoin as node 7"), log.all().toString());
        }
        assertEquals(0, service.calls(), "nothing was submitted");
        assertEquals(Map.of(42, 0, 7, 3), service.sets, "both nodes are still members");
    }

    @Test
    void aMemberRejoinsAsItselfWithAWellFormedRequest() throws IOException {
        try (DtlsTestClient node = device(key42)) {
            assertEquals(ResponseCode.BAD_REQUEST, node.post("rejoin", new byte[Rejoin.REQUEST_SIZE - 1]).getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.post("rejoin", new byte[Rejoin.REQUEST_SIZE + 1]).getCode());
            assertTrue(service.rejoins.isEmpty(), "a malformed rejoin never reaches the key manager");
            Response ok = node.post("rejoin", new Rejoin.Request(42, 3, new byte[32]).encode());
            assertEquals(ResponseCode.CHANGED, ok.getCode(), ok.getPayloadString());
            assertEquals(22, ok.getPayload().length);
            service.refusal = DeviceServiceException.forbidden("rejoin proof already used");
            Response refused = node.post("rejoin", new Rejoin.Request(42, 4, new byte[32]).encode());
            assertEquals(ResponseCode.FORBIDDEN, refused.getCode());
            assertEquals("rejoin proof already used", refused.getPayloadString());
        }
    }

    @Test
    void aMalformedLeaveIsABadRequestAndLeaveIsPostOnly() throws IOException {
        try (DtlsTestClient node = device(key42)) {
            assertEquals(ResponseCode.BAD_REQUEST, node.post("leave", ByteBuffer.allocate(4).putInt(42).array()).getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.post("leave", new byte[LeaveRequest.SIZE + 1]).getCode());
            assertEquals(ResponseCode.METHOD_NOT_ALLOWED, node.get("leave", "").getCode());
        }
        assertTrue(service.left.isEmpty());
    }

    // --- who may not connect ------------------------------------------------------------------

    @Test
    void aKeyUnknownToTheLedgerARevokedIdentityAndARetiredEnrollmentKeyAreRefusedAtTheHandshake() throws IOException {
        // dev-new activates: its enrollment key is no identity's key any more
        Ed25519.KeyPair activated = Ed25519.KeyPair.generate(RANDOM);
        service.identity(identity("dev-new", State.ACTIVE, activated, 0));
        Map<String, Ed25519.KeyPair> intruders = Map.of("unknown key", Ed25519.KeyPair.generate(RANDOM),
                "revoked identity dev-gone", revokedKey, "unknown key ", enrollmentKey);
        try (LogLines log = new LogLines()) {
            for (Map.Entry<String, Ed25519.KeyPair> intruder : intruders.entrySet()) {
                try (DtlsTestClient client = DtlsTestClient.device(server.port(), intruder.getValue(),
                        gatewayKey.publicKey(), REFUSED_TIMEOUT_MS)) {
                    assertThrows(IOException.class, () -> client.post("join", joinBody("dev-new", intruder.getValue())),
                            intruder.getKey());
                }
            }
            assertEquals(1, log.count("DTLS handshake refused: revoked identity dev-gone"), log.all().toString());
            assertEquals(2, log.count("DTLS handshake refused: unknown key "), log.all().toString());
            String shown = "DTLS handshake refused: unknown key " + DevicePeers.shortHex(enrollmentKey.publicKey());
            assertEquals(1, log.count(shown), "the key's first 8 hex digits, no more: " + log.all());
        }
        assertEquals(0, service.calls(), "no intruder reached the key manager");
        try (DtlsTestClient device = device(activated)) {
            assertEquals(ResponseCode.FORBIDDEN, device.get("catchup", "after=0").getCode(), "still the server works");
        }
    }

    @Test
    void anIdentityRevokedMidSessionIsRefusedOnItsNextRequest() throws IOException {
        try (LogLines log = new LogLines(); DtlsTestClient node = device(key42)) {
            assertEquals(ResponseCode.CONTENT, node.get("catchup", "after=0").getCode());
            service.identity(identity("dev-42", State.REVOKED, key42, 42));
            for (String path : List.of("catchup", "mqtt", "node/7")) {
                Response r = node.get(path, path.equals("catchup") ? "after=0" : "");
                assertEquals(ResponseCode.FORBIDDEN, r.getCode(), path);
                assertEquals("identity revoked", r.getPayloadString(), path);
            }
            for (String path : List.of("join", "leave", "rejoin", "activate")) {
                Response r = node.post(path, new byte[0]);
                assertEquals(ResponseCode.FORBIDDEN, r.getCode(), path);
                assertEquals("identity revoked", r.getPayloadString(), path);
            }
            assertEquals(7, log.count("refused: identity revoked dev-42"), log.all().toString());
        }
        assertEquals(List.of(42), service.caughtUp, "only the request before the revocation was served");
        assertEquals(List.of(), mqttAsked);
        assertEquals(1, service.calls());
    }

    @Test
    void onlyAnotherGatewaysPskReachesTheRelay() throws IOException {
        service.rekeys.put(42, List.of(new byte[] {1}, new byte[] {2}));
        try (DtlsTestClient node = device(key42)) {
            assertEquals(ResponseCode.FORBIDDEN, node.get("relay", "node=42&after=0").getCode());
        }
        assertTrue(service.relays.isEmpty());
        try (DtlsTestClient gateway = DtlsTestClient.psk(server.port(), "gateway-3", GATEWAY_3_PSK)) {
            assertEquals(ResponseCode.BAD_REQUEST, gateway.get("relay", "node=42").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, gateway.get("relay", "node=x&after=0").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, gateway.get("relay", "node=42&after=0&after=1").getCode());
            Response r = gateway.get("relay", "node=42&after=1");
            assertEquals(ResponseCode.CONTENT, r.getCode());
            assertMessages(List.of(new byte[] {2}), r.getPayload());
            // a gateway is no device
            for (String path : List.of("catchup", "mqtt", "node/42")) {
                assertEquals(ResponseCode.FORBIDDEN, gateway.get(path, path.equals("catchup") ? "after=0" : "").getCode(), path);
            }
            assertEquals(ResponseCode.FORBIDDEN, gateway.post("join", joinBody("dev-42", key42)).getCode());
            assertEquals(ResponseCode.FORBIDDEN, gateway.post("activate", new byte[0]).getCode());
        }
        assertEquals(List.of("3:42:1"), service.relays);
        service.relayRefusedFor.add(3); // the node is no longer attached to gateway 3
        try (DtlsTestClient gateway = DtlsTestClient.psk(server.port(), "gateway-3", GATEWAY_3_PSK)) {
            assertEquals(ResponseCode.FORBIDDEN, gateway.get("relay", "node=42&after=1").getCode());
        }
    }

    @Test
    void aDeviceCanNoLongerUseAnyPskIdentity() throws IOException {
        // whatever key it derives, no device PSK identity exists on the gateway any more
        try (LogLines log = new LogLines()) {
            for (String identity : List.of("boot-dev-42", "node-42", "gateway-9", "gateway-03")) {
                try (DtlsTestClient intruder = DtlsTestClient.psk(server.port(), identity, GATEWAY_3_PSK, REFUSED_TIMEOUT_MS)) {
                    long start = System.nanoTime();
                    assertThrows(IOException.class, () -> intruder.get("catchup", "after=0"), identity);
                    assertTrue((System.nanoTime() - start) / 1_000_000 < REFUSED_TIMEOUT_MS + 1_000, identity);
                }
            }
            assertEquals(4, log.count("DTLS handshake refused: unknown PSK identity"), log.all().toString());
        }
        assertEquals(0, service.calls());
    }

    @Test
    void aDeviceAcceptsOnlyItsGatewaysKey() throws IOException {
        Ed25519.KeyPair impostor = Ed25519.KeyPair.generate(RANDOM);
        try (DtlsTestClient device = DtlsTestClient.device(server.port(), key42, impostor.publicKey(), REFUSED_TIMEOUT_MS)) {
            assertThrows(IOException.class, () -> device.get("catchup", "after=0"));
        }
        assertEquals(0, service.calls(), "no request was sent to a gateway with another key");
    }

    // --- the rest of the resources ------------------------------------------------------------

    @Test
    void aLargeCatchUpArrivesWholeBlockByBlock() throws IOException {
        List<byte[]> messages = messages(1600, 125); // 1600 * (4 + 125) bytes = about 200 KB
        service.rekeys.put(42, messages);
        try (DtlsTestClient node = device(key42)) {
            Response response = node.get("catchup", "after=0");
            assertEquals(ResponseCode.CONTENT, response.getCode());
            assertTrue(response.getPayloadSize() > 200_000);
            assertMessages(messages, response.getPayload());
        }
    }

    @Test
    void aCatchUpWithoutAValidSequenceIsABadRequest() throws IOException {
        try (DtlsTestClient node = device(key42)) {
            for (String query : List.of("", "after=", "after=abc", "after=+1", "after=1x", "after=99999999999999999999",
                    "after=1&after=2", "before=1", "after=1&x=2")) {
                Response response = node.get("catchup", query);
                assertEquals(ResponseCode.BAD_REQUEST, response.getCode(), "query '" + query + "'");
                assertFalse(response.getPayloadString().isEmpty(), "a diagnostic for '" + query + "'");
            }
            assertEquals(ResponseCode.CONTENT, node.get("catchup", "after=-1").getCode());
        }
    }

    @Test
    void aMemberLearnsTheSetOfAMemberAndAGarbageIdIsABadRequest() throws IOException {
        try (DtlsTestClient node = device(key42)) {
            Response response = node.get("node/7", "");
            assertEquals(ResponseCode.CONTENT, response.getCode());
            assertEquals(3, ByteBuffer.wrap(response.getPayload()).getInt());
            assertEquals(4, response.getPayloadSize());
            assertEquals(ResponseCode.NOT_FOUND, node.get("node/8", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("node/seven", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("node", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("node/7/x", "").getCode());
            assertEquals(ResponseCode.NOT_FOUND, node.get("nothing", "").getCode());
        }
    }

    @Test
    void aMemberLearnsAMembersIdentityKeyAndNothingOfANonMember() throws Exception {
        service.sets.put(9, 3); // still in a set, but its identity is revoked
        try (DtlsTestClient node = device(key42)) {
            Response response = node.get("identity/7", "");
            assertEquals(ResponseCode.CONTENT, response.getCode(), response.getPayloadString());
            NodeIdentity identity = NodeIdentity.decode(response.getPayload());
            assertEquals(7, identity.node());
            assertEquals("dev-7", identity.name());
            assertArrayEquals(key7.publicKey(), identity.key());
            assertEquals(ResponseCode.NOT_FOUND, node.get("identity/8", "").getCode(), "not a member");
            assertEquals(ResponseCode.NOT_FOUND, node.get("identity/9", "").getCode(), "a revoked identity's node");
            assertEquals(ResponseCode.BAD_REQUEST, node.get("identity/seven", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("identity", "").getCode());
        }
        // an identity that has not joined gets nothing
        try (DtlsTestClient fresh = device(freshKey)) {
            assertEquals(ResponseCode.FORBIDDEN, fresh.get("identity/7", "").getCode());
        }
        try (DtlsTestClient enrolling = device(enrollmentKey)) {
            assertEquals(ResponseCode.FORBIDDEN, enrolling.get("identity/7", "").getCode());
        }
    }

    @Test
    void closingTheServerFreesItsPort() throws Exception {
        int port = server.port();
        server.close();
        server = null;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertEquals(port, socket.getLocalPort());
        }
    }

    @Test
    void closingTheServerStopsItsThreads() throws Exception {
        server.close();
        server = null;
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        server = start();
        try (DtlsTestClient device = device(freshKey)) {
            assertEquals(ResponseCode.CHANGED, device.post("join", joinBody("dev-fresh", freshKey)).getCode());
        }
        server.close();
        server = null;
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> left;
        do {
            left = new ArrayList<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (!before.contains(thread) && thread.isAlive()) {
                    left.add(thread.getName());
                }
            }
            if (!left.isEmpty()) {
                Thread.sleep(50);
            }
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertEquals(List.of(), left, "threads left running");
    }

    @Test
    void noCaliforniumPropertiesFileIsWritten() throws IOException {
        try (DtlsTestClient node = device(key42)) {
            node.get("node/7", "");
        }
        assertFalse(new File("Californium3.properties").exists());
    }

    private static List<byte[]> messages(int count, int size) {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] message = new byte[size + (i % 3)];
            for (int j = 0; j < message.length; j++) {
                message[j] = (byte) (i * 31 + j);
            }
            messages.add(message);
        }
        return messages;
    }

    private static void assertMessages(List<byte[]> expected, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        for (byte[] message : expected) {
            int length = in.getInt();
            assertEquals(message.length, length);
            byte[] actual = new byte[length];
            in.get(actual);
            assertArrayEquals(message, actual);
        }
        assertFalse(in.hasRemaining(), "no trailing bytes");
    }
}
