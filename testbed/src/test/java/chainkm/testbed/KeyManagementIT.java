package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.InventoryCommand;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 end to end on real processes: a 4-gateway CometBFT testnet, 32 device agents joining
 * over CoAP/DTLS and rekeyed over MQTT; every ordered pair of devices exchanges a D2D message;
 * a device leaves and another is evicted, and their key material decrypts nothing sent after;
 * a device that joins later decrypts nothing recorded before its join.
 */
class KeyManagementIT {
    private static final int DEVICES = 32;
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private RunningTestnet net;
    private SimulatedDevices sim;
    private DatagramSocket sniffer;
    private final List<byte[]> captured = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (sniffer != null) {
            sniffer.close();
        }
        if (sim != null) {
            sim.close();
        }
        if (net != null) {
            net.close();
        }
    }

    private long ledgerOperations() {
        return net.query(1, "/status", "").path("operations").asLong();
    }

    private void awaitAllAtLedgerSeq() throws InterruptedException {
        RunningTestnet.await("every device to apply every ledger operation", Duration.ofSeconds(60), () -> {
            long ops = ledgerOperations();
            return sim.all().stream().allMatch(d -> d.agent().seq() == ops);
        });
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
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        }, "sniffer");
        t.setDaemon(true);
        t.start();
    }

    /** Every ordered pair sends one message; each receiver gets all of them, intact. */
    private void everyPairExchanges(String round) throws Exception {
        List<SimulatedDevices.Device> all = sim.all();
        all.forEach(d -> d.inbox().clear());
        for (SimulatedDevices.Device x : all) {
            for (SimulatedDevices.Device y : all) {
                if (x != y) {
                    x.agent().send(y.node(), y.agent().d2dAddress(), (round + ":" + x.node() + "->" + y.node())
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        RunningTestnet.await("every device to receive a message from every other", Duration.ofSeconds(60),
                () -> all.stream().allMatch(d -> d.inbox().size() >= all.size() - 1));
        for (SimulatedDevices.Device y : all) {
            for (SimulatedDevices.Received r : y.inbox()) {
                assertEquals(round + ":" + r.from() + "->" + y.node(), r.text());
            }
            assertEquals(0, y.agent().refusedD2D(), y.name() + " refused a legitimate message");
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

    @Test
    void devicesJoinTalkAndAreRekeyedOnJoinLeaveAndEvict() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "dev", DEVICES);
        startSniffer();
        awaitAllAtLedgerSeq();
        assertEquals(DEVICES, net.members(1).size());
        List<Integer> gateways = sim.all().stream().map(d -> d.agent().gatewayId()).distinct().sorted().toList();
        assertEquals(List.of(1, 2, 3, 4), gateways, "devices are spread over every gateway");

        // about 2 sqrt(n) keys per device: node key, set key, a pairwise key per set member and per other set
        int sets = net.layout(1).setCount();
        for (SimulatedDevices.Device d : sim.all()) {
            int setSize = net.layout(1).members(d.agent().setId()).size();
            assertEquals(2 + (setSize - 1) + (sets - 1), d.agent().keyIds().size(), d.name() + " " + d.agent().keyIds());
            assertTrue(d.agent().keyIds().size() <= 2 * Math.ceil(Math.sqrt(DEVICES)) + 4,
                    d.agent().keyIds().size() + " keys at n=" + DEVICES);
        }

        // the inventory (gateways' account of who holds which key) matches the devices' real key stores
        JsonNode inventory = InventoryCommand.collect(dir);
        java.util.Map<Integer, java.util.Set<String>> accounted = new java.util.HashMap<>();
        for (JsonNode g : inventory.path("gateways")) {
            for (JsonNode d : g.path("devices")) {
                java.util.Set<String> ids = new java.util.TreeSet<>();
                d.path("keys").forEach(k -> ids.add(k.asText()));
                accounted.put(d.path("node").asInt(), ids);
            }
        }
        for (SimulatedDevices.Device d : sim.all()) {
            java.util.Set<String> real = new java.util.TreeSet<>();
            d.agent().keyIds().forEach(id -> real.add(id.toString()));
            assertEquals(accounted.get(d.node()), real, d.name() + "'s key store differs from the inventory");
        }

        everyPairExchanges("first");
        List<byte[]> beforeJoin = record("before-join");

        // a newcomer cannot read what was sent before it joined
        SimulatedDevices.Device newcomer = sim.add("late", 1, 1).get(0);
        awaitAllAtLedgerSeq();
        assertEquals(0, decryptable(beforeJoin, stolenKeys(newcomer)), "the newcomer decrypts older traffic");

        // a leaver and an evicted device: their keys decrypt nothing sent afterwards
        SimulatedDevices.Device leaver = sim.get("dev5");
        SimulatedDevices.Device evicted = sim.get("dev10");
        int leaverNode = leaver.node();
        List<KeyMaterial> leaverKeys = stolenKeys(leaver);
        List<KeyMaterial> evictedKeys = stolenKeys(evicted);
        assertTrue(decryptable(beforeJoin, leaverKeys) > 0, "sanity: the leaver could read its links before leaving");
        JsonNode left = net.submit(leaver.agent().gatewayId(), "leave", "commit", leaver.node(), false);
        assertEquals("committed", left.path("status").asText(), left.toString());
        int evictor = evicted.agent().gatewayId() % 4 + 1; // any gateway may evict
        JsonNode out = net.submit(evictor, "evict", "sync", evicted.node(), true);
        assertEquals("committed", out.path("landed").path("status").asText(), out.toString());
        sim.stop(leaver.name());
        sim.stop(evicted.name());
        awaitAllAtLedgerSeq();

        everyPairExchanges("after-leave");
        List<byte[]> afterLeave = record("after-leave");
        assertEquals(0, decryptable(afterLeave, leaverKeys), "the leaver decrypts traffic sent after it left");
        assertEquals(0, decryptable(afterLeave, evictedKeys), "the evicted device decrypts traffic sent after");
        for (SimulatedDevices.Device d : sim.all()) {
            for (KeyId id : d.agent().keyIds()) {
                assertFalse(id.involvesNode(leaverNode) && id.kind() == chainkm.protocol.keys.KeyKind.PAIRWISE_NODE_KEY,
                        d.name() + " still holds a key with the leaver: " + id);
            }
        }
        net.awaitSameAppHash(List.of(1, 2, 3, 4), Duration.ofSeconds(60));
    }
}
