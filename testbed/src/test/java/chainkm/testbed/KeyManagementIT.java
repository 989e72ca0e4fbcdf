package chainkm.testbed;

import static chainkm.testbed.D2DChecks.everyPairExchanges;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.InventoryCommand;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 3 end to end on real processes: a 4-gateway CometBFT testnet, 32 device agents joining
 * over CoAP/DTLS and rekeyed over MQTT; every ordered pair of devices exchanges a D2D message;
 * a device leaves and another is evicted, and their key material decrypts nothing sent after;
 * a device that joins later decrypts nothing recorded before its join.
 */
class KeyManagementIT extends ScenarioIT {
    private static final int DEVICES = 32;
    private DatagramSocket sniffer;
    private final List<byte[]> captured = new CopyOnWriteArrayList<>();
    /** Every pair's messages, recorded before the newcomer joined. */
    private List<byte[]> beforeJoin;

    @AfterAll
    void stopSniffer() {
        if (sniffer != null) {
            sniffer.close();
        }
    }

    private void startSniffer() throws Exception {
        sniffer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sniffer.setReceiveBufferSize(8 << 20);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            while (!sniffer.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    sniffer.receive(p);
                    captured.add(Arrays.copyOf(p.getData(), p.getLength()));
                } catch (IOException closed) {
                    return;
                }
            }
        }, "sniffer");
        t.setDaemon(true);
        t.start();
    }

    /** Every ordered pair sends one message; each receiver gets all of them, intact, and no device has ever refused one. */
    private void everyPairExchangesAndNoneWasEverRefused(String round) throws Exception {
        everyPairExchanges(sim.all(), round);
        for (SimulatedDevices.Device y : sim.all()) {
            assertThat(y).because("a legitimate message was refused").hasRefusedNoD2DMessage();
        }
    }

    /** Sends a message from every device to every other to the sniffer, recording the ciphertexts. */
    private List<byte[]> record(String round) throws Exception {
        captured.clear();
        InetSocketAddress tap = (InetSocketAddress) sniffer.getLocalSocketAddress();
        List<SimulatedDevices.Device> all = sim.all();
        int sent = 0;
        for (SimulatedDevices.Device x : all) {
            for (SimulatedDevices.Device y : all) {
                if (x != y) {
                    x.agent().send(y.node(), tap, (round + " secret").getBytes(StandardCharsets.UTF_8));
                    sent++;
                }
            }
            int upTo = sent;
            // UDP drops what a full socket buffer cannot take: let the sniffer keep up, sender by sender
            RunningTestnet.await("the sniffer to keep up", Duration.ofSeconds(10), () -> captured.size() >= upTo);
        }
        int expected = all.size() * (all.size() - 1);
        RunningTestnet.await("the sniffer to record " + expected + " messages", Duration.ofSeconds(30),
                () -> captured.size() >= expected);
        return new ArrayList<>(captured);
    }

    private static List<KeyMaterial> stolenKeys(SimulatedDevices.Device d) {
        List<KeyMaterial> keys = new ArrayList<>();
        for (KeyId id : d.agent().keyIds()) {
            d.agent().keyForTests(id).ifPresent(keys::add);
        }
        return keys;
    }

    /** How many recorded messages any of these keys opens (trying every key on every message). */
    private static int decryptable(List<byte[]> packets, List<KeyMaterial> keys) throws Exception {
        int opened = 0;
        for (byte[] p : packets) {
            D2DMessage m = D2DMessage.decode(p, p.length);
            for (KeyMaterial k : keys) {
                try {
                    m.open(k.key());
                    opened++;
                    break;
                } catch (AuthenticationException expected) {
                    // this key does not open it
                }
            }
        }
        return opened;
    }

    @BeforeAll
    void thirtyTwoDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "dev", DEVICES);
        startSniffer();
        awaitEveryDeviceAtLedgerSeq(Duration.ofSeconds(60));
    }

    @Test
    @Order(1)
    void devicesJoinThroughEveryGateway() {
        assertEquals(DEVICES, net.members(1).size());
        List<Integer> gateways = sim.all().stream().map(d -> d.agent().gatewayId()).distinct().sorted().toList();
        assertEquals(List.of(1, 2, 3, 4), gateways, "devices are spread over every gateway");
    }

    @Test
    @Order(2)
    void eachDeviceHoldsAboutTwoSqrtNKeys() {
        // node key, set key, a pairwise key per set member and per other set
        int sets = net.layout(1).setCount();
        for (SimulatedDevices.Device d : sim.all()) {
            int setSize = net.layout(1).members(d.agent().setId()).size();
            assertEquals(2 + (setSize - 1) + (sets - 1), d.agent().keyIds().size(), d.name() + " " + d.agent().keyIds());
            assertTrue(d.agent().keyIds().size() <= 2 * Math.ceil(Math.sqrt(DEVICES)) + 4,
                    d.agent().keyIds().size() + " keys at n=" + DEVICES);
        }
    }

    @Test
    @Order(3)
    void theInventoryMatchesTheDevicesKeyStores() throws Exception {
        // the gateways' account of who holds which key
        JsonNode inventory = InventoryCommand.collect(dir);
        Map<Integer, Set<String>> accounted = new HashMap<>();
        for (JsonNode g : inventory.path("gateways")) {
            for (JsonNode d : g.path("devices")) {
                Set<String> ids = new TreeSet<>();
                d.path("keys").forEach(k -> ids.add(k.asText()));
                accounted.put(d.path("node").asInt(), ids);
            }
        }
        for (SimulatedDevices.Device d : sim.all()) {
            Set<String> real = new TreeSet<>();
            d.agent().keyIds().forEach(id -> real.add(id.toString()));
            assertEquals(accounted.get(d.node()), real, d.name() + "'s key store differs from the inventory");
        }
    }

    @Test
    @Order(4)
    void everyPairOfDevicesExchangesMessages() throws Exception {
        everyPairExchangesAndNoneWasEverRefused("first");
    }

    @Test
    @Order(5)
    void aNewcomerCannotReadWhatWasSentBeforeItJoined() throws Exception {
        beforeJoin = record("before-join");
        SimulatedDevices.Device newcomer = sim.add("late", 1, 1).get(0);
        awaitEveryDeviceAtLedgerSeq(Duration.ofSeconds(60));
        assertEquals(0, decryptable(beforeJoin, stolenKeys(newcomer)), "the newcomer decrypts older traffic");
    }

    @Test
    @Order(6)
    void aLeaverAndAnEvictedDeviceCannotReadWhatIsSentAfter() throws Exception {
        SimulatedDevices.Device leaver = sim.get("dev5");
        SimulatedDevices.Device evicted = sim.get("dev10");
        int leaverNode = leaver.node();
        List<KeyMaterial> leaverKeys = stolenKeys(leaver);
        List<KeyMaterial> evictedKeys = stolenKeys(evicted);
        assertTrue(decryptable(beforeJoin, leaverKeys) > 0, "sanity: the leaver could read its links before leaving");
        leaver.agent().leave(); // a real device leaves by itself: its own signature, through its gateway
        int evictor = net.node(evicted.node()).owner(); // the owner of its set evicts alone
        assertThat(net.evict(evictor, evicted.node()).syncAndAwaitLanded()).landedCommitted();
        sim.stop(leaver.name());
        sim.stop(evicted.name());
        awaitEveryDeviceAtLedgerSeq(Duration.ofSeconds(60));

        everyPairExchangesAndNoneWasEverRefused("after-leave");
        List<byte[]> afterLeave = record("after-leave");
        assertEquals(0, decryptable(afterLeave, leaverKeys), "the leaver decrypts traffic sent after it left");
        assertEquals(0, decryptable(afterLeave, evictedKeys), "the evicted device decrypts traffic sent after");
        for (SimulatedDevices.Device d : sim.all()) {
            assertThat(d).holdsNoKeyWith(leaverNode);
        }
    }

    @Test
    @Order(7)
    void theGatewaysAgreeOnTheLedger() throws Exception {
        net.awaitSameAppHash(Duration.ofSeconds(60));
    }
}
