package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same security model on a real Mosquitto configured by {@link MosquittoConfig}. The
 * device side is a plain Paho client: the device module (RekeySubscriber) is not visible
 * from the gateway module, and the configuration writer lives here.
 */
class MosquittoIT {

    static final String GATEWAY = "gateway-1";
    static final String GATEWAY_PASSWORD = "gw1-secret";
    static final String DEVICE_PASSWORD = "device-secret";

    @TempDir
    Path dir;
    private ExternalMosquitto mosquitto;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void startMosquitto() throws IOException {
        Path binary = ExternalMosquitto.findBinary().orElseThrow(() -> new AssertionError(
                "the mosquitto broker is not installed: install the Debian package 'mosquitto' "
                        + "(apt-get install -y mosquitto), or point -D" + ExternalMosquitto.BINARY_PROPERTY
                        + " at the executable"));
        MosquittoConfig config = MosquittoConfig.write(dir, new InetSocketAddress("127.0.0.1", 0),
                Map.of(GATEWAY, GATEWAY_PASSWORD, "gateway-2", "gw2-secret"), DEVICE_PASSWORD);
        mosquitto = ExternalMosquitto.start(binary, config);
    }

    @AfterEach
    void stopEverything() {
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).close();
            } catch (Exception ignored) {
                // keep closing
            }
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    private <T extends AutoCloseable> T started(T client) {
        clients.add(client);
        return client;
    }

    private MqttRekeyPublisher gateway() throws IOException {
        return started(MqttRekeyPublisher.connect(mosquitto.url(), GATEWAY, GATEWAY_PASSWORD.toCharArray(), GATEWAY));
    }

    private TestMqttClient device(String clientId) throws MqttException {
        return started(TestMqttClient.connect(mosquitto.url(), RekeyAccess.DEVICE_USER, DEVICE_PASSWORD, clientId));
    }

    @Test
    void aDeviceReceivesWhatTheGatewayPublishesAtQos1() throws Exception {
        TestMqttClient device = device("node-7");
        assertEquals(1, device.subscribe(Topics.set(3)));

        byte[] rekey = {9, 8, 7, 0};
        gateway().publish(Topics.set(3), rekey);

        TestMqttClient.Received got = device.awaitMessage();
        assertEquals(Topics.set(3), got.topic());
        assertArrayEquals(rekey, got.payload());
        assertEquals(1, got.qos());
    }

    @Test
    void aDeviceCannotPublishOnRekeyTopics() throws Exception {
        TestMqttClient victim = device("node-5");
        assertEquals(1, victim.subscribe(Topics.node(5)));
        TestMqttClient forger = device("node-6");

        forger.publishNoWait(Topics.node(5), "forged qos1", 1);
        forger.publishNoWait(Topics.node(5), "forged qos0", 0);
        victim.assertNothingWithin(Duration.ofMillis(500));

        gateway().publish(Topics.node(5), "control".getBytes(StandardCharsets.UTF_8));
        assertEquals("control", victim.awaitMessage().text());
        victim.assertNothingWithin(Duration.ofMillis(200));
    }

    @Test
    void onlyRekeyTopicsFlowEvenToAWildcardSubscriber() throws Exception {
        TestMqttClient device = device("node-8");
        // Mosquitto 2.0 grants '#' and then delivers only what the ACL lets the user read
        int granted = device.subscribe("#");
        assertTrue(granted == 0x80 || granted == 1, "granted " + granted);
        MqttRekeyPublisher gateway = gateway();
        gateway.publish("other/topic", "not a rekey topic".getBytes(StandardCharsets.UTF_8));
        device.assertNothingWithin(Duration.ofMillis(300));
        if (granted == 1) {
            gateway.publish(Topics.node(8), "for node 8".getBytes(StandardCharsets.UTF_8));
            assertEquals(Topics.node(8), device.awaitMessage().topic());
        }
    }

    @Test
    void wrongPasswordsUnknownUsersAndAnonymousClientsAreRefused() throws Exception {
        String url = mosquitto.url();
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, GATEWAY, "wrong".toCharArray(), "g1")));
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, "gateway-9", GATEWAY_PASSWORD.toCharArray(), "g9")));
        assertThrows(IOException.class,
                () -> started(MqttRekeyPublisher.connect(url, GATEWAY, DEVICE_PASSWORD.toCharArray(), "g1")));
        assertThrows(MqttException.class,
                () -> started(TestMqttClient.connect(url, RekeyAccess.DEVICE_USER, GATEWAY_PASSWORD, "d1")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, null, null, "anon")));
        device("d3");
        gateway();
        assertTrue(mosquitto.isAlive());
    }
}
