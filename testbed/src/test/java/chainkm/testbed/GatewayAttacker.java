package chainkm.testbed;

import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.keys.KeySchedule;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A gateway turned attacker, with every file of its own home and nothing else: its signing key,
 * its master secret (so the attachment key it handed each device that rejoined it) and its
 * broker account, on which it publishes what it likes to the devices attached to it.
 */
final class GatewayAttacker implements AutoCloseable {
    private final int id;
    private final Ed25519.KeyPair signingKey;
    private final byte[] master;
    private final MqttClient mqtt;

    GatewayAttacker(Path home, int id) throws IOException, MqttException {
        this.id = id;
        GatewayHome h = GatewayHome.at(home);
        this.signingKey = GatewayKey.load(h.gatewayKey());
        this.master = Base64.getDecoder().decode(Files.readString(h.masterSecret()).trim());
        // a short client id: MQTT 3.1 brokers need at most 23 characters
        this.mqtt = new MqttClient(GatewayConfig.load(home).brokerUrl(), "attacker-g" + id + "-" + (System.nanoTime() % 1_000_000),
                new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        // its own broker, pinned by the key genesis holds for it (MQTT runs over TLS only)
        o.setSocketFactory(Genesis.load(h.genesis()).mqttTlsPins().get(id).clientContext().getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(false);
        o.setUserName("gateway-" + id);
        o.setPassword(GatewayHome.readLine(h.mqttPassword()).toCharArray());
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        mqtt.connect(o);
    }

    /** The node key this gateway derives for {@code node}: what it handed the device when it rejoined here. */
    byte[] attachmentKey(int node) {
        return KeySchedule.nodeKey(master, node);
    }

    /** A message of this gateway's, sealed under {@code kek} and signed with its own key. */
    byte[] seal(RekeyMessage.Header header, List<KeyUpdate> updates, byte[] kek) {
        if (header.gatewayId() != id) {
            throw new IllegalArgumentException("gateway " + id + " signs as itself");
        }
        return RekeyMessage.seal(header, updates, kek, signingKey).encode();
    }

    Ed25519.KeyPair signingKey() {
        return signingKey;
    }

    void publish(String topic, byte[] payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        mqtt.publish(topic, m);
    }

    @Override
    public void close() throws MqttException {
        if (mqtt.isConnected()) {
            mqtt.disconnectForcibly(1000);
        }
        mqtt.close();
    }
}
