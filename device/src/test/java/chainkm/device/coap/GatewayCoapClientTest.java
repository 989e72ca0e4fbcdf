package chainkm.device.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class GatewayCoapClientTest {
    private static final byte[] BOOT_PSK = "bootstrap-psk-dev1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE_PSK = "node-psk-42-secret".getBytes(StandardCharsets.US_ASCII);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(1500);

    private FakeGateway gateway;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void quietCalifornium() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.californium")).setLevel(Level.WARN);
    }

    @BeforeEach
    void startGateway() throws IOException {
        gateway = new FakeGateway(Map.of("boot-dev1", BOOT_PSK, "node-42", NODE_PSK));
        gateway.bundles.put("boot-dev1", "the bundle".getBytes(StandardCharsets.US_ASCII));
        gateway.sets.put(7, 3);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        gateway.close();
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private GatewayCoapClient client(String identity, byte[] psk, Duration timeout) {
        return closeLater(new GatewayCoapClient(gateway.address(), identity, psk, timeout));
    }

    @Test
    void aBootstrapDeviceJoinsAndGetsItsBundle() throws IOException {
        GatewayCoapClient device = client("boot-dev1", BOOT_PSK, TIMEOUT);
        assertArrayEquals("the bundle".getBytes(StandardCharsets.US_ASCII), device.join(new byte[32]));
        assertEquals(List.of("boot-dev1 join"), gateway.requests);
    }

    @Test
    void aForbiddenJoinIsAClientErrorWithTheGatewaysDiagnostic() {
        GatewayCoapClient node = client("node-42", NODE_PSK, TIMEOUT);
        GatewayResponseException e = assertThrows(GatewayResponseException.class, () -> node.join(new byte[32]));
        assertEquals("4.03", e.responseCode());
        assertTrue(e.isClientError());
        assertEquals("join needs a bootstrap identity", e.diagnostic());
        assertTrue(e.getMessage().contains("4.03"), e.getMessage());
    }

    @Test
    void anUnavailableGatewayIsAServerError() {
        gateway.refusal = "ledger unreachable";
        GatewayCoapClient device = client("boot-dev1", BOOT_PSK, TIMEOUT);
        GatewayResponseException e = assertThrows(GatewayResponseException.class, () -> device.join(new byte[32]));
        assertEquals("5.03", e.responseCode());
        assertFalse(e.isClientError());
        assertTrue(e.getMessage().contains("ledger unreachable"), e.getMessage());
    }

    @Test
    void aNodeCatchesUpOnALargeBacklogInOrder() throws IOException {
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 1600; i++) {
            byte[] message = new byte[120 + i % 7];
            for (int j = 0; j < message.length; j++) {
                message[j] = (byte) (i + j);
            }
            messages.add(message);
        }
        gateway.rekeys = messages;
        GatewayCoapClient node = client("node-42", NODE_PSK, TIMEOUT);
        List<byte[]> received = node.catchUp(41);
        assertEquals(messages.size(), received.size());
        for (int i = 0; i < messages.size(); i++) {
            assertArrayEquals(messages.get(i), received.get(i), "message " + i);
        }
        assertEquals("node-42 catchup?after=41", gateway.requests.get(0));
    }

    @Test
    void aCatchUpAboveTheBodyLimitFailsCleanly() {
        int count = GatewayCoapClient.MAX_BODY_SIZE / 1000 + 10;
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(new byte[996]);
        }
        gateway.rekeys = messages;
        GatewayCoapClient node = client("node-42", NODE_PSK, TIMEOUT);
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> node.catchUp(0));
        assertWithin(start, Duration.ofSeconds(2));
        assertTrue(e.getMessage().contains("bad response"), e.getMessage());
    }

    @Test
    void anEmptyCatchUpIsNoMessages() throws IOException {
        assertEquals(List.of(), client("node-42", NODE_PSK, TIMEOUT).catchUp(-1));
    }

    @Test
    void theSetOfAMemberOrNothing() throws IOException {
        GatewayCoapClient device = client("boot-dev1", BOOT_PSK, TIMEOUT);
        assertEquals(OptionalInt.of(3), device.setOf(7));
        assertEquals(OptionalInt.empty(), device.setOf(8));
        assertEquals(List.of("boot-dev1 node/7", "boot-dev1 node/8"), gateway.requests);
    }

    @Test
    void aWrongKeyFailsWithinTheTimeoutWithoutSayingTheKey() {
        byte[] wrong = "not-the-right-key".getBytes(StandardCharsets.US_ASCII);
        for (String identity : List.of("node-42", "node-43")) {
            GatewayCoapClient intruder = client(identity, wrong, SHORT);
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> intruder.join(new byte[32]));
            assertWithin(start, SHORT);
            assertFalse(e.getMessage().contains(new String(wrong, StandardCharsets.US_ASCII)), e.getMessage());
            assertFalse(e.getMessage().contains(HexFormat.of().formatHex(wrong)), e.getMessage());
        }
        assertEquals(List.of(), gateway.requests);
    }

    @Test
    void aSilentGatewayTimesOut() throws IOException {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            GatewayCoapClient device = closeLater(new GatewayCoapClient(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), "boot-dev1", BOOT_PSK, SHORT));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> device.setOf(7));
            assertWithin(start, SHORT);
            assertTrue(e.getMessage().contains("no response within 1500 ms"), e.getMessage());
        }
    }

    @Test
    void anUnresolvedGatewayAddressFailsAtOnce() {
        GatewayCoapClient device = closeLater(new GatewayCoapClient(
                InetSocketAddress.createUnresolved("gateway.invalid", 5684), "boot-dev1", BOOT_PSK, TIMEOUT));
        IOException e = assertThrows(IOException.class, () -> device.join(new byte[32]));
        assertTrue(e.getMessage().contains("unresolved"), e.getMessage());
    }

    @Test
    void aClosedClientRefusesCalls() throws IOException {
        GatewayCoapClient device = client("boot-dev1", BOOT_PSK, TIMEOUT);
        assertEquals(OptionalInt.of(3), device.setOf(7));
        device.close();
        assertThrows(IOException.class, () -> device.setOf(7));
        device.close(); // idempotent
    }

    @Test
    void aClosedClientLeavesNoThreadsBehind() throws Exception {
        // warm up Californium's shared state, then count only what one client starts
        client("boot-dev1", BOOT_PSK, TIMEOUT).setOf(7);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        GatewayCoapClient device = new GatewayCoapClient(gateway.address(), "boot-dev1", BOOT_PSK, TIMEOUT);
        try {
            assertEquals(OptionalInt.of(3), device.setOf(7));
            assertTrue(newThreads(before).size() <= 4, "a client runs few threads: " + newThreads(before));
        } finally {
            device.close();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!newThreads(before).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), newThreads(before), "threads left running");
    }

    private static List<String> newThreads(Set<Thread> before) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(thread) && thread.isAlive()) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    @Test
    void badArgumentsAreRefusedAtConstruction() {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5684);
        assertThrows(IllegalArgumentException.class, () -> new GatewayCoapClient(address, "", BOOT_PSK, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new GatewayCoapClient(address, "boot-x", new byte[0], TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new GatewayCoapClient(address, "boot-x", BOOT_PSK, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> new GatewayCoapClient(null, "boot-x", BOOT_PSK, TIMEOUT));
    }

    @Test
    void noCaliforniumPropertiesFileIsWritten() throws IOException {
        client("boot-dev1", BOOT_PSK, TIMEOUT).setOf(7);
        assertFalse(new File("Californium3.properties").exists());
    }

    private static void assertWithin(long startNanos, Duration timeout) {
        long tookMs = (System.nanoTime() - startNanos) / 1_000_000;
        assertTrue(tookMs < timeout.toMillis() + 1_000, "took " + tookMs + " ms, timeout " + timeout.toMillis() + " ms");
    }
}
