package chainkm.testbed;

import static chainkm.testbed.D2DChecks.send;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.cli.Provisioner;
import chainkm.cli.TestnetLayout;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.cometbft.Profile;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.mqtt.ExternalMosquitto;
import chainkm.gateway.mqtt.MosquittoConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The D2D test with Mosquitto (Debian package {@code mosquitto}) as each gateway's external
 * broker instead of the embedded one: devices join, every ordered pair exchanges a message, a
 * device leaves, and the others, rekeyed through Mosquitto, exchange messages again.
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
            String devicePassword = Files.readString(home.resolve(GatewayHome.MQTT_DEVICE_PASSWORD)).trim();
            MosquittoConfig config = MosquittoConfig.write(dir.resolve("mosquitto-" + g.id()),
                    new InetSocketAddress("127.0.0.1", 0), Map.of("gateway-" + g.id(), gatewayPassword), devicePassword);
            ExternalMosquitto broker = ExternalMosquitto.start(config);
            brokers.add(broker);
            GatewayConfig.load(home).withMqttUrl(broker.url()).save(home);
        }
        net = RunningTestnet.startGenerated(dir);
        sim = SimulatedDevices.start(dir, "m", 8);
        for (SimulatedDevices.Device d : sim.all()) {
            String url = Provisioner.provision(dir, d.name(), d.agent().gatewayId())
                    .gateway(d.agent().gatewayId()).mqttUrl();
            assertEquals(brokers.get(d.agent().gatewayId() - 1).url(), url, "devices use Mosquitto");
        }
        exchange("before");

        SimulatedDevices.Device leaver = sim.get("m3");
        assertThat(net.leave(leaver.agent().gatewayId(), leaver.node()).within(Duration.ofSeconds(60)).commit())
                .isCommitted();
        sim.stop(leaver.name());
        awaitEveryDeviceAtSeq(9, Duration.ofSeconds(60)); // rekeyed through Mosquitto
        exchange("after");
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
