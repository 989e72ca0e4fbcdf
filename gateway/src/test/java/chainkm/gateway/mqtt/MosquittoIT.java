package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same security model on a real Mosquitto configured by {@link MosquittoConfig}: a TLS
 * listener with the gateway's certificate, and the dynamic-security plugin, to which the
 * gateway ({@link MosquittoDynsec}) adds each device as it hands out its credential and from
 * which it removes revoked ones. Attackers use Paho and {@code mosquitto_sub}.
 */
class MosquittoIT {

    static final String GATEWAY = "gateway-1";
    static final String GATEWAY_PASSWORD = "gw1-secret";

    @TempDir
    Path dir;
    private ExternalMosquitto mosquitto;
    private TlsPin pin;
    private Path certificate;
    private DevicePasswords passwords;
    private MosquittoDynsec dynsec;
    private final TestRoster roster = new TestRoster().member("dev-a", 7).member("dev-b", 8);
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void startMosquitto() throws IOException {
        QuietLogs.apply();
        Path binary = ExternalMosquitto.findBinary().orElseThrow(() -> new AssertionError(
                "the mosquitto broker is not installed: install the Debian package 'mosquitto' "
                        + "(apt-get install -y mosquitto), or point -D" + ExternalMosquitto.BINARY_PROPERTY
                        + " at the executable"));
        Path key = dir.resolve("mqtt-tls.key");
        certificate = dir.resolve("mqtt-tls.crt");
        pin = BrokerTls.generate(key, certificate, "gateway-1 MQTT broker");
        MosquittoConfig config = MosquittoConfig.write(dir.resolve("mosquitto"), new InetSocketAddress("127.0.0.1", 0),
                key, certificate, GATEWAY, GATEWAY_PASSWORD);
        mosquitto = ExternalMosquitto.start(binary, config);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        passwords = DevicePasswords.of(secret);
        dynsec = MosquittoDynsec.connect(mosquitto.url(), pin, GATEWAY, GATEWAY_PASSWORD.toCharArray(), roster);
        clients.add(dynsec);
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
        return started(MqttRekeyPublisher.connect(mosquitto.url(), pin, GATEWAY, GATEWAY_PASSWORD.toCharArray(), GATEWAY));
    }

    /** What GET /mqtt does for the device: its credential, added to Mosquitto. */
    private MqttCredential admitted(String name) throws IOException {
        int node = roster.nodeOf(name).orElseThrow();
        MqttCredential login = passwords.issue(name, node);
        dynsec.admit(node, login);
        return login;
    }

    private TestMqttClient device(String name) throws Exception {
        return started(TestMqttClient.connect(mosquitto.url(), pin, admitted(name),
                RekeyAccess.clientId(roster.nodeOf(name).orElseThrow())));
    }

    @Test
    void aDeviceReceivesItsRekeyMessagesWithItsOwnCredentialOverTls() throws Exception {
        TestMqttClient device = device("dev-a");
        assertEquals(1, device.subscribe(Topics.node(7)));
        assertEquals(1, device.subscribe(Topics.set(3)));

        byte[] rekey = {9, 8, 7, 0};
        MqttRekeyPublisher gateway = gateway();
        gateway.publish(Topics.set(3), rekey);
        gateway.publish(Topics.node(7), "for node 7".getBytes(StandardCharsets.UTF_8));

        TestMqttClient.Received got = device.awaitMessage();
        assertEquals(Topics.set(3), got.topic());
        assertArrayEquals(rekey, got.payload());
        assertEquals(1, got.qos());
        assertEquals("for node 7", device.awaitMessage().text());
    }

    @Test
    void groupBroadcastsAreRetainedPublishedOnlyByGatewaysAndReadOnlyByTheirOwnDevice() throws Exception {
        String topic = chainkm.protocol.groupkey.GroupTopics.topic("dev-a/temperature");
        MqttRekeyPublisher gateway = gateway();
        gateway.publishRetained(topic, "B1".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 100 && gateway.pendingCount() > 0; i++) {
            Thread.sleep(20);
        }
        TestMqttClient a = device("dev-a");
        assertEquals(1, a.subscribe(chainkm.protocol.groupkey.GroupTopics.ofDevice("dev-a")));
        TestMqttClient.Received got = a.awaitMessage();
        assertEquals(topic, got.topic());
        assertEquals("B1", got.text(), "the retained broadcast, at once");

        TestMqttClient b = device("dev-b");
        assertEquals(0x80, b.subscribe(chainkm.protocol.groupkey.GroupTopics.ofDevice("dev-a")), "another device's groups");
        assertEquals(0x80, b.subscribe(chainkm.protocol.groupkey.GroupTopics.all()));
        b.publishNoWait(topic, "forged", 0);
        a.publishNoWait(topic, "forged by its own device", 0);
        a.assertNothingWithin(Duration.ofMillis(500));
        gateway.publishRetained(topic, "B2".getBytes(StandardCharsets.UTF_8));
        assertEquals("B2", a.awaitMessage().text());
    }

    @Test
    void aDeviceNeitherPublishesNorReadsAnotherDevicesTopic() throws Exception {
        TestMqttClient victim = device("dev-a");
        assertEquals(1, victim.subscribe(Topics.node(7)));
        TestMqttClient other = device("dev-b");
        assertEquals(0x80, other.subscribe(Topics.node(7)), "another device's node topic");
        assertEquals(0x80, other.subscribe(Topics.all()));

        other.publishNoWait(Topics.node(7), "forged qos0", 0);
        victim.assertNothingWithin(Duration.ofMillis(500));
        gateway().publish(Topics.node(7), "control".getBytes(StandardCharsets.UTF_8));
        assertEquals("control", victim.awaitMessage().text());
        other.assertNothingWithin(Duration.ofMillis(300));
    }

    @Test
    void anotherDevicesCredentialOrClientIdIsRefusedAndTheVictimKeepsItsSession() throws Exception {
        TestMqttClient victim = device("dev-a");
        assertEquals(1, victim.subscribe(Topics.node(7)));
        MqttCredential b = admitted("dev-b");
        String url = mosquitto.url();

        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, b, "node-7")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, "dev-a",
                new String(b.password()), "node-7")));
        MosquittoSub.Result r = MosquittoSub.subscribe(mosquitto.port(), certificate, b.user(),
                new String(b.password()), "node-7", Topics.node(7), 3);
        assertNotEquals(0, r.exit(), r.output());

        assertTrue(victim.isConnected(), "the victim's session was not taken over");
        gateway().publish(Topics.node(7), "still mine".getBytes(StandardCharsets.UTF_8));
        assertEquals("still mine", victim.awaitMessage().text());
    }

    @Test
    void theOldSharedPasswordUnknownUsersPlainTcpAndAnonymousClientsAreRefused() throws Exception {
        String url = mosquitto.url();
        TestMqttClient victim = device("dev-a");
        assertThrows(IOException.class, () -> started(MqttRekeyPublisher.connect(url, pin, GATEWAY,
                "wrong".toCharArray(), "g1")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, "device", "device-secret",
                "node-7")));
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(url, pin, null, null, "anon")));
        MosquittoSub.Result shared = MosquittoSub.subscribe(mosquitto.port(), certificate, "device",
                "the-old-consortium-password", "node-9", Topics.all(), 3);
        assertNotEquals(0, shared.exit(), shared.output());
        MqttCredential a = passwords.issue("dev-a", 7);
        MosquittoSub.Result plain = MosquittoSub.subscribePlain(mosquitto.port(), a.user(), new String(a.password()),
                "node-7", Topics.node(7));
        assertNotEquals(0, plain.exit(), plain.output());
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(
                "tcp://127.0.0.1:" + mosquitto.port(), null, a, "node-7")));
        assertTrue(victim.isConnected());
        assertTrue(mosquitto.isAlive());
    }

    @Test
    void aRevokedDeviceIsDisconnectedRemovedAndRefused() throws Exception {
        TestMqttClient revoked = device("dev-a");
        TestMqttClient other = device("dev-b");
        assertEquals(0, dynsec.closeRevoked());

        roster.revoke("dev-a"); // the ledger committed its leave or eviction
        assertEquals(1, dynsec.closeRevoked());
        EmbeddedBrokerTest.awaitTrue(() -> !revoked.isConnected());
        assertTrue(other.isConnected(), "only the revoked device is closed");
        MqttCredential a = passwords.issue("dev-a", 7);
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(mosquitto.url(), pin, a, "node-7")));
        MosquittoSub.Result r = MosquittoSub.subscribe(mosquitto.port(), certificate, a.user(),
                new String(a.password()), "node-7", Topics.node(7), 3);
        assertNotEquals(0, r.exit(), r.output());
    }

    @Test
    void aGatewayRestartedFindsTheDevicesItAddedAndStillRevokesThem() throws Exception {
        device("dev-a");
        dynsec.close();
        MosquittoDynsec again = started(MosquittoDynsec.connect(mosquitto.url(), pin, GATEWAY,
                GATEWAY_PASSWORD.toCharArray(), roster));
        roster.revoke("dev-a");
        assertEquals(1, again.closeRevoked());
        MqttCredential a = passwords.issue("dev-a", 7);
        assertThrows(MqttException.class, () -> started(TestMqttClient.connect(mosquitto.url(), pin, a, "node-7")));
    }
}
