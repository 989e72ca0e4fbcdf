package chainkm.device.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class GatewayCoapClientTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Ed25519.KeyPair GATEWAY = Ed25519.KeyPair.generate(RANDOM);
    private static final Ed25519.KeyPair OTHER_GATEWAY = Ed25519.KeyPair.generate(RANDOM);
    /** dev1's identity key, active on the fake ledger. */
    private static final Ed25519.KeyPair DEV1 = Ed25519.KeyPair.generate(RANDOM);
    /** dev2's enrollment key: enrolled, not yet activated. */
    private static final Ed25519.KeyPair DEV2_ENROLLMENT = Ed25519.KeyPair.generate(RANDOM);
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
        gateway = new FakeGateway(GATEWAY);
        gateway.identities.put(Hex.encode(DEV1.publicKey()), new FakeGateway.Identity("dev1", true));
        gateway.enroll("dev2", DEV2_ENROLLMENT.publicKey());
        gateway.bundles.put("dev1", "the bundle".getBytes(StandardCharsets.US_ASCII));
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

    private GatewayCoapClient client(Ed25519.KeyPair key, Duration timeout) {
        return closeLater(new GatewayCoapClient(gateway.address(), key, GATEWAY.publicKey(), timeout));
    }

    private static JoinRequest join(String name, Ed25519.KeyPair key) {
        return JoinRequest.sign(name, new byte[32], key);
    }

    @Test
    void aDeviceJoinsWithItsIdentityKeyAndGetsItsBundle() throws IOException {
        GatewayCoapClient device = client(DEV1, TIMEOUT);
        assertArrayEquals("the bundle".getBytes(StandardCharsets.US_ASCII), device.join(join("dev1", DEV1)));
        assertEquals(List.of("dev1 join"), gateway.requests);
    }

    @Test
    void aForbiddenJoinIsAClientErrorWithTheGatewaysDiagnostic() {
        GatewayCoapClient enrolled = client(DEV2_ENROLLMENT, TIMEOUT);
        GatewayResponseException e = assertThrows(GatewayResponseException.class,
                () -> enrolled.join(join("dev2", DEV2_ENROLLMENT)));
        assertEquals("4.03", e.responseCode());
        assertTrue(e.isClientError());
        assertEquals("join needs an activated identity", e.diagnostic());
        assertTrue(e.getMessage().contains("4.03"), e.getMessage());
    }

    @Test
    void activationWithTheEnrollmentKeyPutsTheIdentityKeyInItsPlace() throws IOException {
        Ed25519.KeyPair identity = Ed25519.KeyPair.generate(RANDOM);
        client(DEV2_ENROLLMENT, TIMEOUT).activate(IdentityActivation.sign("dev2", DEV2_ENROLLMENT, identity));
        assertEquals(Hex.encode(identity.publicKey()), gateway.activeKeyOf("dev2").orElseThrow());
        gateway.bundles.put("dev2", new byte[] {2});
        assertArrayEquals(new byte[] {2}, client(identity, TIMEOUT).join(join("dev2", identity)));
        // the enrollment key opens nothing any more: its handshake is refused
        assertThrows(IOException.class, () -> client(DEV2_ENROLLMENT, SHORT).setOf(7));
        assertEquals(List.of("dev2 activate", "dev2 join"), gateway.requests);
    }

    @Test
    void aLeaveCarriesTheDevicesSignatureAndReturnsTheCommitHeight() throws IOException {
        assertEquals(42, client(DEV1, TIMEOUT).leave(LeaveRequest.sign("dev1", 7, DEV1)));
        GatewayResponseException e = assertThrows(GatewayResponseException.class,
                () -> client(DEV1, TIMEOUT).leave(LeaveRequest.sign("dev2", 7, DEV1)));
        assertEquals("4.03", e.responseCode());
    }

    @Test
    void anUnavailableGatewayIsAServerError() {
        gateway.refusal = "ledger unreachable";
        GatewayCoapClient device = client(DEV1, TIMEOUT);
        GatewayResponseException e = assertThrows(GatewayResponseException.class, () -> device.join(join("dev1", DEV1)));
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
        GatewayCoapClient node = client(DEV1, TIMEOUT);
        List<byte[]> received = node.catchUp(41);
        assertEquals(messages.size(), received.size());
        for (int i = 0; i < messages.size(); i++) {
            assertArrayEquals(messages.get(i), received.get(i), "message " + i);
        }
        assertEquals("dev1 catchup?after=41", gateway.requests.get(0));
    }

    @Test
    void aCatchUpAboveTheBodyLimitFailsCleanly() {
        int count = GatewayCoapClient.MAX_BODY_SIZE / 1000 + 10;
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(new byte[996]);
        }
        gateway.rekeys = messages;
        GatewayCoapClient node = client(DEV1, TIMEOUT);
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> node.catchUp(0));
        assertWithin(start, Duration.ofSeconds(2));
        assertTrue(e.getMessage().contains("bad response"), e.getMessage());
    }

    @Test
    void anEmptyCatchUpIsNoMessages() throws IOException {
        assertEquals(List.of(), client(DEV1, TIMEOUT).catchUp(-1));
    }

    @Test
    void theSetOfAMemberOrNothing() throws IOException {
        GatewayCoapClient device = client(DEV1, TIMEOUT);
        assertEquals(OptionalInt.of(3), device.setOf(7));
        assertEquals(OptionalInt.empty(), device.setOf(8));
        assertEquals(List.of("dev1 node/7", "dev1 node/8"), gateway.requests);
    }

    @Test
    void aGatewayWhoseKeyIsNotTheBundlesKeyForItIsRefusedBeforeAnyRequestIsSent() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(GatewayKeyVerifier.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            // the fake holds GATEWAY's key; the device expects OTHER_GATEWAY, another trust anchor of its bundle
            GatewayCoapClient device = closeLater(new GatewayCoapClient(gateway.address(), DEV1,
                    OTHER_GATEWAY.publicKey(), SHORT));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> device.join(join("dev1", DEV1)));
            assertWithin(start, SHORT);
            assertTrue(e.getMessage().contains("POST /join"), e.getMessage());
            assertNoPrivateKey(e.getMessage(), DEV1);
        } finally {
            log.detachAppender(lines);
        }
        assertEquals(List.of(), gateway.requests, "nothing reached the gateway's resources");
        assertTrue(lines.list.stream().anyMatch(l -> l.getFormattedMessage().contains("DTLS handshake with gateway")
                && l.getFormattedMessage().contains("not the key the provisioning bundle holds for this gateway")),
                "one log line says why");
    }

    @Test
    void aKeyTheGatewayDoesNotKnowFailsWithinTheTimeoutWithoutSayingTheKey() {
        Ed25519.KeyPair stranger = Ed25519.KeyPair.generate(RANDOM);
        GatewayCoapClient intruder = client(stranger, SHORT);
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> intruder.join(join("dev1", stranger)));
        assertWithin(start, SHORT);
        assertNoPrivateKey(e.getMessage(), stranger);
        assertTrue(gateway.refusedHandshakes.get() > 0);
        assertEquals(List.of(), gateway.requests);
    }

    private static void assertNoPrivateKey(String text, Ed25519.KeyPair key) {
        byte[] seed = key.privateKeyBytes();
        assertFalse(text.toLowerCase().contains(Hex.encode(seed)), text);
        assertFalse(text.contains(java.util.Base64.getEncoder().encodeToString(seed)), text);
    }

    @Test
    void aSilentGatewayTimesOut() throws IOException {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            GatewayCoapClient device = closeLater(new GatewayCoapClient(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), DEV1, GATEWAY.publicKey(), SHORT));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> device.setOf(7));
            assertWithin(start, SHORT);
            assertTrue(e.getMessage().contains("no response within 1500 ms"), e.getMessage());
        }
    }

    @Test
    void anUnresolvedGatewayAddressFailsAtOnce() {
        GatewayCoapClient device = closeLater(new GatewayCoapClient(
                InetSocketAddress.createUnresolved("gateway.invalid", 5684), DEV1, GATEWAY.publicKey(), TIMEOUT));
        IOException e = assertThrows(IOException.class, () -> device.join(join("dev1", DEV1)));
        assertTrue(e.getMessage().contains("unresolved"), e.getMessage());
    }

    @Test
    void aClosedClientRefusesCalls() throws IOException {
        GatewayCoapClient device = client(DEV1, TIMEOUT);
        assertEquals(OptionalInt.of(3), device.setOf(7));
        device.close();
        assertThrows(IOException.class, () -> device.setOf(7));
        device.close(); // idempotent
    }

    @Test
    void aClosedClientLeavesNoThreadsBehind() throws Exception {
        // warm up Californium's shared state, then count only what one client starts
        client(DEV1, TIMEOUT).setOf(7);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        GatewayCoapClient device = new GatewayCoapClient(gateway.address(), DEV1, GATEWAY.publicKey(), TIMEOUT);
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
        byte[] gw = GATEWAY.publicKey();
        assertThrows(NullPointerException.class, () -> new GatewayCoapClient(address, null, gw, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new GatewayCoapClient(address, DEV1, new byte[31], TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> new GatewayCoapClient(address, DEV1, gw, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> new GatewayCoapClient(null, DEV1, gw, TIMEOUT));
    }

    @Test
    void noCaliforniumPropertiesFileIsWritten() throws IOException {
        client(DEV1, TIMEOUT).setOf(7);
        assertFalse(new File("Californium3.properties").exists());
    }

    private static void assertWithin(long startNanos, Duration timeout) {
        long tookMs = (System.nanoTime() - startNanos) / 1_000_000;
        assertTrue(tookMs < timeout.toMillis() + 1_000, "took " + tookMs + " ms, timeout " + timeout.toMillis() + " ms");
    }
}
