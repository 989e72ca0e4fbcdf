package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker over real TLS with real Paho clients: devices with their own
 * credentials, and attackers holding another device's credential, client id or the old
 * shared password, or a revoked credential.
 */
class EmbeddedBrokerTest {

    static final String GATEWAY = "gateway-1";
    static final String GATEWAY_PASSWORD = "gw1-secret";
    static final Map<String, String> GATEWAYS = Map.of(GATEWAY, GATEWAY_PASSWORD, "gateway-2", "gw2-secret");

    /** Everything a test starts, closed in reverse order even when the test fails. */
    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    @TempDir
    Path home;
    private BrokerTls tls;
    private TlsPin pin;
    private DevicePasswords passwords;
    private final TestRoster roster = new TestRoster().member("dev-a", 7).member("dev-b", 8);

    @BeforeAll
    static void quiet() {
        QuietLogs.apply();
    }

    @BeforeEach
    void keys() throws IOException {
        pin = BrokerTls.generate(home.resolve("mqtt-tls.key"), home.resolve("mqtt-tls.crt"), "gateway-1 MQTT broker");
        tls = BrokerTls.load(home.resolve("mqtt-tls.key"), home.resolve("mqtt-tls.crt"));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        passwords = DevicePasswords.of(secret);
    }

    @AfterEach
    void stopEverything() throws Exception {
        Exception first = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        started.clear();
        if (first != null) {
            throw first;
        }
    }

    private <T extends AutoCloseable> T started(T thing) {
        started.add(thing);
        return thing;
    }

    private EmbeddedBroker broker(int port, Path dataDir) throws IOException {
        return started(EmbeddedBroker.start(new InetSocketAddress("127.0.0.1", port), tls, GATEWAYS,
                passwords, roster, dataDir));
    }

    private MqttRekeyPublisher gateway(String url) throws IOException {
        return started(MqttRekeyPublisher.connect(url, pin, GATEWAY, GATEWAY_PASSWORD.toCharArray(), GATEWAY));
    }

    /** Device {@code name} with its own credential and client id. */
    private TestMqttClient device(String url, String name) throws MqttException {
        int node = roster.nodeOf(name).orElseThrow();
        return started(TestMqttClient.connect(url, pin, login(name), RekeyAccess.clientId(node)));
    }

    private MqttCredential login(String name) {
        return passwords.issue(name, roster.nodeOf(name).orElseThrow());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeviceReceivesItsRekeyMessagesWithItsOwnCredentialOverTls() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        assertEquals("ssl://127.0.0.1:" + broker.port(), broker.url());
        TestMqttClient device = device(broker.url(), "dev-a");
        assertEquals(1, device.subscribe(Topics.node(7)));
        assertEquals(1, device.subscribe(Topics.set(3)));

        MqttRekeyPublisher gateway = gateway(broker.url());
        byte[] rekey = {0, 1, 2, (byte) 0xff};
        gateway.publish(Topics.set(3), rekey);
        gateway.publish(Topics.node(7), bytes("for node 7"));

        TestMqttClient.Received got = device.awaitMessage();
        assertEquals("chainkm/rekey/set/3", got.topic());
        assertArrayEquals(rekey, got.payload());
        assertEquals(1, got.qos());
        assertEquals("for node 7", device.awaitMessage().text());
    }

    @Test
    void aDeviceCannotPublishOnRekeyTopics() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient victim = device(broker.url(), "dev-a");
        assertEquals(1, victim.subscribe(Topics.node(7)));
        TestMqttClient forger = device(broker.url(), "dev-b");

        forger.publishNoWait(Topics.node(7), "forged qos1", 1);
        forger.publishNoWait(Topics.node(7), "forged qos0", 0);
        victim.assertNothingWithin(Duration.ofMillis(500));

        gateway(broker.url()).publish(Topics.node(7), bytes("control"));
        assertEquals("control", victim.awaitMessage().text());
        victim.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void aDeviceSubscribesOnlyToItsOwnNodeTopicAndToSetTopics() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient device = device(broker.url(), "dev-b");
        assertEquals(1, device.subscribe(Topics.node(8)));
        assertEquals(1, device.subscribe(Topics.set(2)));
        assertEquals(1, device.subscribe("chainkm/rekey/set/+"));
        assertEquals(0x80, device.subscribe(Topics.node(7)), "another device's node topic");
        assertEquals(0x80, device.subscribe("chainkm/rekey/node/+"));
        assertEquals(0x80, device.subscribe(Topics.all()));
        assertEquals(0x80, device.subscribe("#"));
        assertEquals(0x80, device.subscribe("chainkm/#"));
        assertEquals(0x80, device.subscribe("+/rekey/node/8"));
    }

    @Test
    void anotherDevicesClientIdIsRefusedAndTheVictimKeepsItsSession() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        String url = broker.url();
        TestMqttClient victim = device(url, "dev-a");
        assertEquals(1, victim.subscribe(Topics.node(7)));

        // dev-b, with every byte of its own credential, claims dev-a's client id
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, login("dev-b"), "node-7")));
        // dev-b's password under dev-a's name, with dev-a's client id
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, "dev-a",
                new String(login("dev-b").password()), "node-7")));
        // a password made for another node under the victim's name
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin,
                passwords.issue("dev-a", 8), "node-8")));

        assertTrue(victim.isConnected(), "the victim's session was not taken over");
        gateway(url).publish(Topics.node(7), bytes("still mine"));
        assertEquals("still mine", victim.awaitMessage().text());
    }

    @Test
    void theOldSharedPasswordUnknownUsersAndAnonymousClientsAreRefused() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        String url = broker.url();
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, pin, GATEWAY, "wrong".toCharArray(), "g1")));
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, pin, "gateway-9", GATEWAY_PASSWORD.toCharArray(), "g9")));
        // the shared user of old, whatever its password
        assertThrows(MqttException.class,
                () -> started(TestMqttClient.connect(url, pin, "device", "device-secret", "node-7")));
        // a gateway password does not make a device, nor a device password a gateway
        assertThrows(MqttException.class,
                () -> started(TestMqttClient.connect(url, pin, "dev-a", GATEWAY_PASSWORD, "node-7")));
        assertThrows(IOException.class, () -> started(MqttRekeyPublisher.connect(url, pin, GATEWAY,
                login("dev-a").password(), "g1")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, "dev-c", "x", "node-9")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, null, null, "anon")));
        // the right credentials still work
        device(url, "dev-a");
        gateway(url);
    }

    @Test
    void aRevokedDeviceIsDisconnectedAndRefused() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient revoked = device(broker.url(), "dev-a");
        TestMqttClient other = device(broker.url(), "dev-b");
        revoked.subscribe(Topics.node(7));
        assertEquals(0, broker.closeRevoked(), "nobody revoked yet");

        roster.revoke("dev-a"); // the ledger committed its leave or eviction
        assertEquals(1, broker.closeRevoked());
        awaitTrue(() -> !revoked.isConnected());
        assertTrue(other.isConnected(), "only the revoked device is closed");
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(broker.url(), pin,
                passwords.issue("dev-a", 7), "node-7")));
    }

    @Test
    void plainTcpAndAnUnpinnedBrokerKeyAreRefused() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        String plain = "tcp://127.0.0.1:" + broker.port();
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(plain, null, login("dev-a"), "node-7")));
        assertThrows(IOException.class, () -> started(MqttRekeyPublisher.connect(plain, pin, GATEWAY,
                GATEWAY_PASSWORD.toCharArray(), GATEWAY)), "the publisher never connects in clear");
        // a device that pins another key does not talk to this broker (a LAN impostor)
        TlsPin other = BrokerTls.generate(home.resolve("other.key"), home.resolve("other.crt"), "impostor");
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(broker.url(), other, login("dev-a"),
                "node-7")));
    }

    @Test
    void queuedQos1MessagesReachADeviceBackFromAShortDisconnect() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient device = device(broker.url(), "dev-a");
        device.subscribe(Topics.node(7));
        device.disconnect();
        device.close();

        gateway(broker.url()).publish(Topics.node(7), bytes("while away"));

        TestMqttClient back = device(broker.url(), "dev-a"); // same client id, clean session = false
        assertEquals("while away", back.awaitMessage().text());
    }

    @Test
    void thePublisherBuffersWhileTheBrokerRestartsAndPersistentStateSurvives(@TempDir Path dataDir)
            throws Exception {
        EmbeddedBroker first = broker(0, dataDir);
        int port = first.port();
        TestMqttClient device = device(first.url(), "dev-b");
        device.subscribe(Topics.node(8));
        device.close(); // its session (clean session = false) and subscription stay with the broker
        MqttRekeyPublisher gateway = gateway(first.url());

        first.close();
        awaitTrue(() -> !gateway.isConnected());
        gateway.publish(Topics.node(8), bytes("during the restart")); // buffered, not lost
        assertEquals(1, gateway.pendingCount());

        EmbeddedBroker second = broker(port, dataDir);
        awaitTrue(() -> gateway.isConnected() && gateway.pendingCount() == 0);

        TestMqttClient back = device(second.url(), "dev-b");
        assertEquals("during the restart", back.awaitMessage().text());
    }

    @Test
    void closeFreesThePort() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        int port = broker.port();
        broker.close();
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
            assertTrue(again.isBound());
        }
    }

    @Test
    void onlyGatewayUserNamesAreAcceptedAsGateways() {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        assertThrows(IllegalArgumentException.class, () -> started(EmbeddedBroker.start(any, tls,
                Map.of("device", "x"), passwords, roster, null)));
        assertThrows(IllegalArgumentException.class, () -> started(EmbeddedBroker.start(any, tls,
                Map.of("gateway-1", ""), passwords, roster, null)));
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TestMqttClient.WAIT.multipliedBy(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + TestMqttClient.WAIT.multipliedBy(2));
            }
            Thread.sleep(20);
        }
    }
}
