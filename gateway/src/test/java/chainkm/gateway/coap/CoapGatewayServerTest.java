package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import chainkm.protocol.rekey.MqttCredential;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CoapGatewayServerTest {
    private static final byte[] BOOT_PSK = "bootstrap-psk-dev1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE_PSK = "node-psk-42-secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BUNDLE = "join bundle of dev1".getBytes(StandardCharsets.US_ASCII);

    private final FakeDeviceService service = new FakeDeviceService();
    private CoapGatewayServer server;

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.WARN);
    }

    @BeforeEach
    void startServer() {
        service.psks.put("boot-dev1", BOOT_PSK);
        service.psks.put("node-42", NODE_PSK);
        service.bundles.put("boot-dev1", BUNDLE);
        service.sets.put(7, 3);
        service.sets.put(42, 0);
        server = CoapGatewayServer.start(service, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), node -> {
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

    private PskTestClient bootstrapDevice() throws IOException {
        return new PskTestClient(server.port(), "boot-dev1", BOOT_PSK);
    }

    private PskTestClient node42() throws IOException {
        return new PskTestClient(server.port(), "node-42", NODE_PSK);
    }

    @Test
    void aBootstrapDeviceJoinsAndGetsItsBundle() throws IOException {
        try (PskTestClient device = bootstrapDevice()) {
            Response response = device.post("join");
            assertEquals(ResponseCode.CHANGED, response.getCode());
            assertArrayEquals(BUNDLE, response.getPayload());
            assertEquals(MediaTypeRegistry.APPLICATION_OCTET_STREAM, response.getOptions().getContentFormat());
        }
    }

    @Test
    void aJoinedNodeCannotJoin() throws IOException {
        try (PskTestClient node = node42()) {
            assertEquals(ResponseCode.FORBIDDEN, node.post("join").getCode());
        }
    }

    @Test
    void aJoinTheKeyManagerRefusesIsServiceUnavailableWithItsMessage() throws IOException {
        service.refusal = "ledger unreachable";
        try (PskTestClient device = bootstrapDevice()) {
            Response response = device.post("join");
            assertEquals(ResponseCode.SERVICE_UNAVAILABLE, response.getCode());
            assertEquals("ledger unreachable", response.getPayloadString());
        }
    }

    @Test
    void aJoinWithoutA32ByteCommitmentIsABadRequest() throws IOException {
        try (PskTestClient device = bootstrapDevice()) {
            assertEquals(ResponseCode.BAD_REQUEST, device.post("join", new byte[0]).getCode());
            assertEquals(ResponseCode.BAD_REQUEST, device.post("join", new byte[31]).getCode());
            assertEquals(ResponseCode.BAD_REQUEST, device.post("join", new byte[33]).getCode());
        }
        assertTrue(service.joined.isEmpty(), "a malformed join never reaches the key manager");
    }

    @Test
    void onlyABootstrapIdentityMayRejoinAndOnlyWithA44ByteRequest() throws IOException {
        try (PskTestClient node = node42()) {
            assertEquals(ResponseCode.FORBIDDEN, node.post("rejoin", new byte[44]).getCode());
        }
        try (PskTestClient device = bootstrapDevice()) {
            assertEquals(ResponseCode.BAD_REQUEST, device.post("rejoin", new byte[43]).getCode());
            assertEquals(ResponseCode.BAD_REQUEST, device.post("rejoin", new byte[45]).getCode());
            assertTrue(service.rejoins.isEmpty(), "a malformed rejoin never reaches the key manager");
            Response ok = device.post("rejoin", new byte[44]);
            assertEquals(ResponseCode.CHANGED, ok.getCode());
            assertEquals(22, ok.getPayload().length);
            service.refusal = "rejoin proof already used";
            Response refused = device.post("rejoin", new byte[44]);
            assertEquals(ResponseCode.SERVICE_UNAVAILABLE, refused.getCode());
            assertEquals("rejoin proof already used", refused.getPayloadString());
        }
    }

    @Test
    void onlyAnotherGatewayMayFetchRelayedMessages() throws IOException {
        service.rekeys.put(42, List.of(new byte[] {1}, new byte[] {2}));
        service.psks.put("gateway-3", NODE_PSK);
        try (PskTestClient device = bootstrapDevice(); PskTestClient node = node42()) {
            assertEquals(ResponseCode.FORBIDDEN, device.get("relay", "node=42&after=0").getCode());
            assertEquals(ResponseCode.FORBIDDEN, node.get("relay", "node=42&after=0").getCode());
        }
        assertTrue(service.relays.isEmpty());
        try (PskTestClient gateway = new PskTestClient(server.port(), "gateway-3", NODE_PSK)) {
            assertEquals(ResponseCode.BAD_REQUEST, gateway.get("relay", "node=42").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, gateway.get("relay", "node=x&after=0").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, gateway.get("relay", "node=42&after=0&after=1").getCode());
            Response r = gateway.get("relay", "node=42&after=1");
            assertEquals(ResponseCode.CONTENT, r.getCode());
            assertMessages(List.of(new byte[] {2}), r.getPayload());
        }
        assertEquals(List.of("3:42:1"), service.relays);
    }

    private final List<Integer> mqttAsked = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void aNodeGetsItsOwnMqttCredentialAndOnlyItsOwn() throws Exception {
        try (PskTestClient node = node42(); PskTestClient device = bootstrapDevice()) {
            Response r = node.get("mqtt", "");
            assertEquals(ResponseCode.CONTENT, r.getCode());
            assertEquals(MqttCredential.of("dev-42", "pw-of-42"), MqttCredential.decode(r.getPayload()));
            // the node is the DTLS identity's; a query naming another node is refused, not obeyed
            assertEquals(ResponseCode.BAD_REQUEST, node.get("mqtt", "node=7").getCode());
            assertEquals(ResponseCode.FORBIDDEN, device.get("mqtt", "").getCode());
        }
        assertEquals(List.of(42), mqttAsked);
        service.psks.put("node-7", NODE_PSK);
        try (PskTestClient seven = new PskTestClient(server.port(), "node-7", NODE_PSK)) {
            Response r = seven.get("mqtt", "");
            assertEquals(ResponseCode.SERVICE_UNAVAILABLE, r.getCode());
            assertTrue(r.getPayloadString().contains("not a member"), r.getPayloadString());
        }
    }

    @Test
    void joinIsPostOnly() throws IOException {
        try (PskTestClient device = bootstrapDevice()) {
            assertEquals(ResponseCode.METHOD_NOT_ALLOWED, device.get("join", "").getCode());
        }
    }

    @Test
    void aNodeCatchesUpOnTheMessagesAfterItsSequenceInOrder() throws IOException {
        List<byte[]> messages = messages(5, 40);
        service.rekeys.put(42, messages);
        try (PskTestClient node = node42()) {
            Response response = node.get("catchup", "after=2");
            assertEquals(ResponseCode.CONTENT, response.getCode());
            assertMessages(messages.subList(2, 5), response.getPayload());

            Response none = node.get("catchup", "after=5");
            assertEquals(ResponseCode.CONTENT, none.getCode());
            assertEquals(0, none.getPayloadSize());
        }
    }

    @Test
    void aLargeCatchUpArrivesWholeBlockByBlock() throws IOException {
        List<byte[]> messages = messages(1600, 125); // 1600 * (4 + 125) bytes = about 200 KB
        service.rekeys.put(42, messages);
        try (PskTestClient node = node42()) {
            Response response = node.get("catchup", "after=0");
            assertEquals(ResponseCode.CONTENT, response.getCode());
            assertEquals(messages.stream().mapToInt(m -> 4 + m.length).sum(), response.getPayloadSize());
            assertTrue(response.getPayloadSize() > 200_000);
            assertMessages(messages, response.getPayload());
        }
    }

    @Test
    void aBootstrapDeviceCannotCatchUp() throws IOException {
        try (PskTestClient device = bootstrapDevice()) {
            assertEquals(ResponseCode.FORBIDDEN, device.get("catchup", "after=0").getCode());
        }
    }

    @Test
    void aCatchUpWithoutAValidSequenceIsABadRequest() throws IOException {
        try (PskTestClient node = node42()) {
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
    void anyDeviceLearnsTheSetOfAMember() throws IOException {
        try (PskTestClient device = bootstrapDevice(); PskTestClient node = node42()) {
            for (PskTestClient client : List.of(device, node)) {
                Response response = client.get("node/7", "");
                assertEquals(ResponseCode.CONTENT, response.getCode());
                assertEquals(3, ByteBuffer.wrap(response.getPayload()).getInt());
                assertEquals(4, response.getPayloadSize());
            }
        }
    }

    @Test
    void anUnknownNodeIsNotFoundAndAGarbageIdABadRequest() throws IOException {
        try (PskTestClient node = node42()) {
            assertEquals(ResponseCode.NOT_FOUND, node.get("node/8", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("node/seven", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("node", "").getCode());
            assertEquals(ResponseCode.BAD_REQUEST, node.get("node/7/x", "").getCode());
            assertEquals(ResponseCode.NOT_FOUND, node.get("nothing", "").getCode());
        }
    }

    @Test
    void aWrongKeyOrAnUnknownIdentityCannotConnect() throws IOException {
        byte[] wrong = "not-the-right-key".getBytes(StandardCharsets.US_ASCII);
        long timeoutMs = 2_000;
        for (String identity : List.of("boot-dev1", "boot-stranger", "node-43")) {
            try (PskTestClient intruder = new PskTestClient(server.port(), identity, wrong, timeoutMs)) {
                long start = System.nanoTime();
                IOException e = assertThrows(IOException.class, () -> intruder.post("join"), identity);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                System.out.println(identity + " refused after " + tookMs + " ms: " + e.getMessage());
                assertTrue(tookMs < timeoutMs + 1_000, "the handshake of " + identity + " fails within the timeout");
            }
        }
        assertTrue(service.joined.isEmpty(), "no intruder reached the key manager");
        // the server is still fine for legitimate devices
        try (PskTestClient device = bootstrapDevice()) {
            assertEquals(ResponseCode.CHANGED, device.post("join").getCode());
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
        server = CoapGatewayServer.start(service, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), node -> {
            mqttAsked.add(node);
            if (node != 42) {
                throw new IOException("node " + node + " is not a member");
            }
            return MqttCredential.of("dev-42", "pw-of-42");
        });
        try (PskTestClient device = bootstrapDevice()) {
            assertEquals(ResponseCode.CHANGED, device.post("join").getCode());
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
        try (PskTestClient node = node42()) {
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
