package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {

    static final String GATEWAY = "gateway-1";
    static final String GATEWAY_PASSWORD = "gw1-secret";
    static final String DEVICE_PASSWORD = "device-secret";
    static final Map<String, String> GATEWAYS = Map.of(GATEWAY, GATEWAY_PASSWORD, "gateway-2", "gw2-secret");

    /** Everything a test starts, closed in reverse order even when the test fails. */
    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void quiet() {
        QuietLogs.apply();
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
        return started(EmbeddedBroker.start(new InetSocketAddress("127.0.0.1", port), GATEWAYS,
                DEVICE_PASSWORD, dataDir));
    }

    private MqttRekeyPublisher gateway(String url) throws IOException {
        return started(MqttRekeyPublisher.connect(url, GATEWAY, GATEWAY_PASSWORD.toCharArray(), GATEWAY));
    }

    private TestMqttClient device(String url, String clientId) throws MqttException {
        return started(TestMqttClient.connect(url, RekeyAccess.DEVICE_USER, DEVICE_PASSWORD, clientId));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeviceReceivesWhatTheGatewayPublishesAtQos1() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        assertEquals("tcp://127.0.0.1:" + broker.port(), broker.url());
        TestMqttClient device = device(broker.url(), "node-7");
        assertEquals(1, device.subscribe(Topics.set(3)));

        MqttRekeyPublisher gateway = gateway(broker.url());
        byte[] rekey = {0, 1, 2, (byte) 0xff};
        gateway.publish(Topics.set(3), rekey);

        TestMqttClient.Received got = device.awaitMessage();
        assertEquals("chainkm/rekey/set/3", got.topic());
        assertArrayEquals(rekey, got.payload());
        assertEquals(1, got.qos());
    }

    @Test
    void aDeviceCannotPublishOnRekeyTopics() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient victim = device(broker.url(), "node-5");
        assertEquals(1, victim.subscribe(Topics.node(5)));
        TestMqttClient forger = device(broker.url(), "node-6");

        forger.publishNoWait(Topics.node(5), "forged qos1", 1);
        forger.publishNoWait(Topics.node(5), "forged qos0", 0);
        victim.assertNothingWithin(Duration.ofMillis(500));

        gateway(broker.url()).publish(Topics.node(5), bytes("control"));
        assertEquals("control", victim.awaitMessage().text());
        victim.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void aDeviceCanOnlySubscribeInsideRekeyTopics() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient device = device(broker.url(), "node-8");
        assertEquals(1, device.subscribe(Topics.all()));
        assertEquals(0x80, device.subscribe("#"));
        assertEquals(0x80, device.subscribe("chainkm/#"));
        assertEquals(0x80, device.subscribe("+/rekey/node/8"));
    }

    @Test
    void wrongPasswordsUnknownUsersAndAnonymousClientsAreRefused() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        String url = broker.url();
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, GATEWAY, "wrong".toCharArray(), "g1")));
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, "gateway-9", GATEWAY_PASSWORD.toCharArray(), "g9")));
        // a device password does not make a gateway, nor a gateway password a device
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, GATEWAY, DEVICE_PASSWORD.toCharArray(), "g1")));
        assertThrows(MqttException.class,
                () -> started(TestMqttClient.connect(url, RekeyAccess.DEVICE_USER, GATEWAY_PASSWORD, "d1")));
        assertThrows(MqttException.class,
                () -> started(TestMqttClient.connect(url, RekeyAccess.DEVICE_USER, "", "d2")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, null, null, "anon")));
        // the right credentials still work
        device(url, "d3");
        gateway(url);
    }

    @Test
    void queuedQos1MessagesReachADeviceBackFromAShortDisconnect() throws Exception {
        EmbeddedBroker broker = broker(0, null);
        TestMqttClient device = device(broker.url(), "node-11");
        device.subscribe(Topics.node(11));
        device.disconnect();
        device.close();

        gateway(broker.url()).publish(Topics.node(11), bytes("while away"));

        TestMqttClient back = device(broker.url(), "node-11"); // same client id, clean session = false
        assertEquals("while away", back.awaitMessage().text());
    }

    @Test
    void thePublisherBuffersWhileTheBrokerRestartsAndPersistentStateSurvives(@TempDir Path dataDir)
            throws Exception {
        EmbeddedBroker first = broker(0, dataDir);
        int port = first.port();
        TestMqttClient device = device(first.url(), "node-12");
        device.subscribe(Topics.node(12));
        device.close(); // its session (clean session = false) and subscription stay with the broker
        MqttRekeyPublisher gateway = gateway(first.url());

        first.close();
        awaitTrue(() -> !gateway.isConnected());
        gateway.publish(Topics.node(12), bytes("during the restart")); // buffered, not lost
        assertEquals(1, gateway.pendingCount());

        EmbeddedBroker second = broker(port, dataDir);
        awaitTrue(() -> gateway.isConnected() && gateway.pendingCount() == 0);

        TestMqttClient back = device(second.url(), "node-12");
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
        assertThrows(IllegalArgumentException.class, () -> started(EmbeddedBroker.start(
                new InetSocketAddress("127.0.0.1", 0), Map.of("device", "x"), DEVICE_PASSWORD, null)));
        assertThrows(IllegalArgumentException.class, () -> started(EmbeddedBroker.start(
                new InetSocketAddress("127.0.0.1", 0), Map.of("gateway-1", ""), DEVICE_PASSWORD, null)));
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
