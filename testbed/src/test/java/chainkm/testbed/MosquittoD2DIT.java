package chainkm.testbed;

import static chainkm.testbed.D2DChecks.send;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.cometbft.Profile;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.mqtt.DevicePasswords;
import chainkm.gateway.mqtt.ExternalMosquitto;
import chainkm.gateway.mqtt.MosquittoConfig;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The D2D test with Mosquitto (Debian package {@code mosquitto}) as each gateway's external
 * broker instead of the embedded one (TLS with the gateway's certificate, the dynamic-security
 * plugin administered by the gateway): devices join and fetch their own MQTT credentials,
 * every ordered pair exchanges a message, a device leaves, its Mosquitto client is removed,
 * and the others, rekeyed through Mosquitto, exchange messages again.
 */
class MosquittoD2DIT extends TestnetIT {
    private final List<ExternalMosquitto> brokers = new ArrayList<>();

    /** The brokers last: the gateways and devices stop while theirs is still there. */
    @AfterEach
    void stopTestnetThenBrokers() {
        try {
            stopDevicesAndTestnet();
        } finally {
            brokers.forEach(ExternalMosquitto::close);
        }
    }

    @Test
    void devicesTalkAndAreRekeyedThroughMosquitto() throws Exception {
        TestnetLayout layout = TestnetGenerator.generate(dir, 2, Profile.FAST);
        for (TestnetLayout.Gateway g : layout.gateways()) {
            Path home = dir.resolve(g.home());
            String gatewayPassword = Files.readString(home.resolve(GatewayHome.MQTT_PASSWORD)).trim();
            GatewayHome h = GatewayHome.at(home);
            // Mosquitto with the gateway's own TLS key and certificate, and the gateway as dynamic-security admin
            MosquittoConfig config = MosquittoConfig.write(dir.resolve("mosquitto-" + g.id()),
                    new InetSocketAddress("127.0.0.1", 0), h.mqttTlsKey(), h.mqttTlsCertificate(),
                    "gateway-" + g.id(), gatewayPassword);
            ExternalMosquitto broker = ExternalMosquitto.start(config);
            brokers.add(broker);
            GatewayConfig.load(home).withMqttUrl(broker.url()).save(home);
        }
        net = RunningTestnet.startGenerated(dir);
        sim = SimulatedDevices.start(dir, "m", 8);
        for (SimulatedDevices.Device d : sim.all()) {
            String url = sim.provisioning(d.name()).gateway(d.agent().gatewayId()).mqttUrl();
            assertEquals(brokers.get(d.agent().gatewayId() - 1).url(), url, "devices use Mosquitto");
        }
        exchange("before");

        SimulatedDevices.Device leaver = sim.get("m3");
        int leaverGateway = leaver.agent().gatewayId();
        int leaverNode = leaver.node();
        leaver.agent().leave(); // signed by the device, committed before it returns
        sim.stop(leaver.name());
        awaitEveryDeviceAtSeq(9, Duration.ofSeconds(60)); // rekeyed through Mosquitto
        exchange("after");

        // the leaver's own credential no longer opens Mosquitto (the gateway removed its client)
        Path home = dir.resolve(net.net.layout().gateway(leaverGateway).home());
        MqttCredential old = DevicePasswords.load(GatewayHome.at(home).mqttDevicesSecret())
                .issue(leaver.name(), leaverNode);
        TlsPin pin = Genesis.load(GatewayHome.at(home).genesis()).mqttTlsPins().get(leaverGateway);
        RunningTestnet.await("Mosquitto to refuse the leaver's credential", Duration.ofSeconds(30), () -> {
            try (MqttClient c = new MqttClient(brokers.get(leaverGateway - 1).url(), "node-" + leaverNode,
                    new MemoryPersistence())) {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setSocketFactory(pin.clientContext().getSocketFactory());
                o.setHttpsHostnameVerificationEnabled(false);
                o.setUserName(old.user());
                o.setPassword(old.password());
                c.connect(o);
                c.disconnect();
                return false;
            } catch (MqttException refused) {
                return refused.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                        || refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED;
            }
        });
    }

    private void exchange(String round) throws Exception {
        List<SimulatedDevices.Device> all = sim.all();
        all.forEach(d -> d.inbox().clear());
        for (SimulatedDevices.Device x : all) {
            for (SimulatedDevices.Device y : all) {
                if (x != y) {
                    send(x, y, round + x.node());
                }
            }
        }
        RunningTestnet.await("every pair to exchange a message (" + round + ")", Duration.ofSeconds(60),
                () -> all.stream().allMatch(d -> d.inbox().size() == all.size() - 1));
        for (SimulatedDevices.Device y : all) {
            assertThat(y).hasRefusedNoD2DMessage();
            y.inbox().forEach(m -> assertEquals(round + m.from(), m.text()));
        }
    }
}
