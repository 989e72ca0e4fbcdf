package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Topics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mosquitto_sub as the attacker against the embedded broker (TLS, per-device credentials). */
class MoquetteAttacksIT {
    @TempDir
    Path home;
    private EmbeddedBroker broker;
    private TlsPin pin;
    private DevicePasswords passwords;
    private TestMqttClient victim;
    private MqttRekeyPublisher gateway;
    private final TestRoster roster = new TestRoster().member("dev-a", 7).member("dev-b", 8);

    @BeforeEach
    void start() throws Exception {
        QuietLogs.apply();
        pin = BrokerTls.generate(home.resolve("k"), home.resolve("crt"), "gateway-1 MQTT broker");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        passwords = DevicePasswords.of(secret);
        broker = EmbeddedBroker.start(new InetSocketAddress("127.0.0.1", 0), BrokerTls.load(home.resolve("k"),
                home.resolve("crt")), Map.of("gateway-1", "gw"), passwords, roster, null);
        victim = TestMqttClient.connect(broker.url(), pin, passwords.issue("dev-a", 7), "node-7");
        assertEquals(1, victim.subscribe(Topics.node(7)));
        gateway = MqttRekeyPublisher.connect(broker.url(), pin, "gateway-1", "gw".toCharArray(), "gateway-1");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (victim != null) {
            victim.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void victimStillReceives() throws Exception {
        assertTrue(victim.isConnected(), "the victim's session was kicked");
        gateway.publish(Topics.node(7), "for the victim".getBytes(StandardCharsets.UTF_8));
        assertEquals("for the victim", victim.awaitMessage().text());
    }

    @Test
    void anotherDevicesClientIdIsRefusedAndDoesNotKickTheVictim() throws Exception {
        MqttCredential own = passwords.issue("dev-b", 8);
        MosquittoSub.Result r = MosquittoSub.subscribe(broker.port(), home.resolve("crt"), own.user(),
                new String(own.password()), "node-7", Topics.node(7), 3);
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("not authorised") || r.output().contains("bad user name or password"),
                r.output());
        victimStillReceives();
    }

    @Test
    void theAttackersOwnClientIdCannotReadTheVictimsTopic() throws Exception {
        MqttCredential own = passwords.issue("dev-b", 8);
        CompletableFuture<MosquittoSub.Result> attack = CompletableFuture.supplyAsync(() -> {
            try {
                return MosquittoSub.subscribe(broker.port(), home.resolve("crt"), own.user(),
                        new String(own.password()), "node-8", Topics.node(7), 4);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1_500); // the attacker is connected and has asked for the topic
        gateway.publish(Topics.node(7), "secret for node 7".getBytes(StandardCharsets.UTF_8));
        MosquittoSub.Result r = attack.get();
        assertTrue(!r.output().contains("secret for node 7"), r.output());
        assertTrue(r.output().contains("denied"), r.output());
        assertEquals("secret for node 7", victim.awaitMessage().text());
        victimStillReceives();
    }

    @Test
    void theOldSharedPasswordAndPlainTcpAreRefused() throws Exception {
        MosquittoSub.Result shared = MosquittoSub.subscribe(broker.port(), home.resolve("crt"), "device",
                "the-old-consortium-password", "node-7", Topics.node(7), 3);
        assertNotEquals(0, shared.exit(), shared.output());
        MqttCredential own = passwords.issue("dev-a", 7);
        MosquittoSub.Result plain = MosquittoSub.subscribePlain(broker.port(), own.user(), new String(own.password()),
                "node-7", Topics.node(7));
        assertNotEquals(0, plain.exit(), plain.output());
        victimStillReceives();
    }

    @Test
    void aRevokedCredentialIsRefused() throws Exception {
        MqttCredential b = passwords.issue("dev-b", 8);
        roster.revoke("dev-b");
        MosquittoSub.Result r = MosquittoSub.subscribe(broker.port(), home.resolve("crt"), b.user(),
                new String(b.password()), "node-8", Topics.node(8), 3);
        assertNotEquals(0, r.exit(), r.output());
        victimStillReceives();
    }
}
