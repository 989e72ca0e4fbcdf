package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code POST /leave}: a device removes itself, and nobody else. */
class LeaveResourceTest {
    private static final byte[] BOOT_PSK = "bootstrap-psk-dev1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE_A_PSK = "node-psk-42-secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE_B_PSK = "node-psk-7-secret!".getBytes(StandardCharsets.US_ASCII);

    private final FakeDeviceService service = new FakeDeviceService();
    private CoapGatewayServer server;

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.WARN);
    }

    @BeforeEach
    void startServer() {
        service.psks.put("boot-dev1", BOOT_PSK);
        service.psks.put("node-42", NODE_A_PSK);
        service.psks.put("node-7", NODE_B_PSK);
        service.sets.put(42, 0);
        service.sets.put(7, 3);
        server = CoapGatewayServer.start(service, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static byte[] id(int node) {
        return ByteBuffer.allocate(4).putInt(node).array();
    }

    @Test
    void aNodeLeavesAndIsToldTheCommitHeight() throws IOException {
        try (PskTestClient a = new PskTestClient(server.port(), "node-42", NODE_A_PSK)) {
            Response response = a.post("leave", id(42));
            assertEquals(ResponseCode.CHANGED, response.getCode(), response.getPayloadString());
            assertEquals("77", response.getPayloadString());
        }
        assertEquals(List.of(42), service.left);
        assertEquals(Map.of(7, 3), service.sets);
    }

    @Test
    void nodeACannotRemoveNodeB() throws IOException {
        try (PskTestClient a = new PskTestClient(server.port(), "node-42", NODE_A_PSK)) {
            Response response = a.post("leave", id(7));
            assertEquals(ResponseCode.FORBIDDEN, response.getCode());
            assertEquals("node 42 may only ask to leave for itself, not for node 7", response.getPayloadString());
        }
        assertTrue(service.left.isEmpty(), "nothing reached the key manager");
        assertEquals(Map.of(42, 0, 7, 3), service.sets, "both nodes are still members");
    }

    @Test
    void aBootstrapIdentityCannotLeaveForAnyone() throws IOException {
        try (PskTestClient boot = new PskTestClient(server.port(), "boot-dev1", BOOT_PSK)) {
            assertEquals(ResponseCode.FORBIDDEN, boot.post("leave", id(42)).getCode());
            assertEquals(ResponseCode.FORBIDDEN, boot.post("leave", id(7)).getCode());
        }
        assertTrue(service.left.isEmpty());
        assertEquals(2, service.sets.size());
    }

    @Test
    void aMalformedLeaveIsABadRequestAndLeaveIsPostOnly() throws IOException {
        try (PskTestClient a = new PskTestClient(server.port(), "node-42", NODE_A_PSK)) {
            assertEquals(ResponseCode.BAD_REQUEST, a.post("leave", new byte[0]).getCode());
            assertEquals(ResponseCode.BAD_REQUEST, a.post("leave", new byte[5]).getCode());
            assertEquals(ResponseCode.METHOD_NOT_ALLOWED, a.get("leave", "").getCode());
        }
        assertTrue(service.left.isEmpty());
    }

    @Test
    void aLeaveTheKeyManagerRefusesIsServiceUnavailableWithItsMessage() throws IOException {
        service.refusal = "ledger unreachable";
        try (PskTestClient a = new PskTestClient(server.port(), "node-42", NODE_A_PSK)) {
            Response response = a.post("leave", id(42));
            assertEquals(ResponseCode.SERVICE_UNAVAILABLE, response.getCode());
            assertEquals("ledger unreachable", response.getPayloadString());
        }
        assertEquals(2, service.sets.size());
    }
}
