package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.keys.DeviceKeys;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyManager;
import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.Topics;
import chainkm.protocol.sets.Assignment;
import chainkm.protocol.sets.Reorder;
import chainkm.protocol.sets.SetLayout;
import chainkm.protocol.sets.SetMove;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key protocol without the network: three gateways' key managers follow the same ledger
 * operations (joins and leaves with Reorder, produced by the real set algorithms), their
 * messages are routed to devices' real key logic as the MQTT topics would, and after every
 * operation: every device is at the same seq, every pair of devices holds the same key for
 * their link, a leaver's keys match no current key, and a newcomer's keys match no earlier key.
 */
class KeyProtocolSimulationTest {
    /** Signs the simulated D2D messages under pairwise set keys (the key check here is about the AES-CCM keys). */
    private static final Ed25519.KeyPair SENDER_IDENTITY = Ed25519.KeyPair.generate(new SecureRandom());
    private static final int GATEWAYS = 3;
    private final SecureRandom random = new SecureRandom();
    @TempDir
    Path dir;

    private final Map<Integer, KeyManager> managers = new TreeMap<>();
    private final Map<Integer, byte[]> anchors = new TreeMap<>();
    private final Map<Integer, DeviceKeys> devices = new TreeMap<>();
    private final SetLayout ledger = new SetLayout();
    private final List<byte[]> everyKeyEverSeen = new ArrayList<>();

    private void startGateways() throws Exception {
        Map<Integer, byte[]> kemKeys = new TreeMap<>();
        Map<Integer, Ed25519.KeyPair> signers = new TreeMap<>();
        for (int g = 1; g <= GATEWAYS; g++) {
            Path home = Files.createDirectories(dir.resolve("g" + g));
            kemKeys.put(g, GatewaySecrets.generate(home));
            signers.put(g, Ed25519.KeyPair.generate(random));
            anchors.put(g, signers.get(g).publicKey());
        }
        for (int g = 1; g <= GATEWAYS; g++) {
            managers.put(g, new KeyManager(g, GatewaySecrets.load(dir.resolve("g" + g), g, kemKeys), signers.get(g)));
        }
    }

    private long height;

    private void commit(Operation op, int node, int set, int gateway, List<SetMove> moves) {
        byte[] r = new byte[16];
        random.nextBytes(r);
        RefreshEntry e = new RefreshEntry(++height, 0, op, node, set, r, gateway, moves);
        Map<String, List<byte[]>> byTopic = new HashMap<>();
        for (KeyManager m : managers.values()) {
            for (KeyManager.Outgoing o : m.apply(e)) {
                byTopic.computeIfAbsent(o.topic(), k -> new ArrayList<>()).add(o.message());
            }
        }
        if (op == Operation.JOIN) {
            DeviceKeys d = new DeviceKeys(new InMemoryKeyStore(), anchors, Duration.ZERO, Clock.systemUTC());
            d.install(managers.get(gateway).bundle(node).orElseThrow());
            for (KeyId id : d.keyIds()) {
                byte[] k = d.current(id).orElseThrow().key();
                for (byte[] old : everyKeyEverSeen) {
                    assertFalse(Arrays.equals(old, k), "newcomer " + node + " got a key that existed before its join: " + id);
                }
            }
            devices.put(node, d);
        }
        // deliver like MQTT: each device hears its node topic and its set's topic
        for (Map.Entry<Integer, DeviceKeys> entry : devices.entrySet()) {
            DeviceKeys d = entry.getValue();
            if (entry.getKey() == node && op == Operation.JOIN) {
                continue;
            }
            List<byte[]> heard = new ArrayList<>();
            heard.addAll(byTopic.getOrDefault(Topics.node(entry.getKey()), List.of()));
            heard.addAll(byTopic.getOrDefault(Topics.set(d.setId()), List.of()));
            int applied = 0;
            for (byte[] msg : heard) {
                DeviceKeys.Result r2 = d.apply(msg);
                assertTrue(r2.outcome() != DeviceKeys.Outcome.REFUSED, "device " + entry.getKey() + ": " + r2.reason());
                if (r2.outcome() == DeviceKeys.Outcome.APPLIED) {
                    applied++;
                }
            }
            assertEquals(1, applied, "device " + entry.getKey() + " applied " + applied + " messages for op " + height
                    + " " + op + " of " + node);
        }
    }

    private void assertEveryLinkAgrees() {
        List<Integer> ids = new ArrayList<>(devices.keySet());
        for (int i = 0; i < ids.size(); i++) {
            DeviceKeys x = devices.get(ids.get(i));
            assertEquals(height, x.seq());
            assertEquals((int) ledger.setOf(ids.get(i)).getAsInt(), x.setId(), "device's set");
            for (int j = i + 1; j < ids.size(); j++) {
                DeviceKeys y = devices.get(ids.get(j));
                KeyId idX = x.keyIdForPeer(ids.get(j), y.setId());
                KeyId idY = y.keyIdForPeer(ids.get(i), x.setId());
                assertEquals(idX, idY);
                KeyMaterial kx = x.current(idX).orElseThrow(() -> new AssertionError(ids + " missing " + idX));
                KeyMaterial ky = y.current(idY).orElseThrow(() -> new AssertionError("missing " + idY));
                assertArrayEquals(kx.key(), ky.key(), "link " + idX + " differs between its two ends");
                // and a D2D message sealed by x under its key (with x's seq label) opens at y
                chainkm.protocol.d2d.D2DMessage msg = chainkm.protocol.d2d.D2DMessage.seal(ids.get(i), ids.get(j), idX,
                        kx.seq(), height, kx.key(), "hi".getBytes(), SENDER_IDENTITY);
                boolean opened = false;
                for (KeyMaterial candidate : y.candidates(idY, kx.seq())) {
                    try {
                        msg.open(candidate.key());
                        opened = true;
                    } catch (chainkm.protocol.keys.AuthenticationException notThisOne) {
                        // try the next candidate
                    }
                }
                assertTrue(opened, "a message under " + idX + "@" + kx.seq() + " does not open at the other end");
            }
            int n = devices.size();
            assertTrue(x.keyCount() <= 2 * Math.ceil(Math.sqrt(n)) * 2 + GATEWAYS + 2,
                    x.keyCount() + " keys at n=" + n);
        }
    }

    private void remember() {
        for (DeviceKeys d : devices.values()) {
            for (KeyId id : d.keyIds()) {
                everyKeyEverSeen.add(d.current(id).orElseThrow().key());
            }
        }
    }

    @Test
    void joinsAndLeavesKeepEveryLinkConsistentAndSecret() throws Exception {
        startGateways();
        Random ops = new Random(11);
        int nextNode = 1000;
        for (int step = 0; step < 220; step++) {
            remember();
            boolean join = devices.size() < 4 || ops.nextInt(10) < (step < 140 ? 7 : 3);
            if (join) {
                int gw = 1 + ops.nextInt(GATEWAYS);
                int set = Assignment.selectSet(ledger, gw);
                int node = nextNode++;
                ledger.add(node, set, gw);
                commit(Operation.JOIN, node, set, gw, List.of());
            } else {
                List<Integer> live = new ArrayList<>(devices.keySet());
                int leaver = live.get(ops.nextInt(live.size()));
                int set = ledger.setOf(leaver).getAsInt();
                int owner = ledger.ownerOf(set);
                ledger.remove(leaver);
                List<SetMove> moves = Reorder.afterLeave(ledger, set, owner);
                DeviceKeys gone = devices.remove(leaver);
                commit(ops.nextBoolean() ? Operation.LEAVE : Operation.EVICT, leaver, set, owner, moves);
                // forward secrecy: nothing the leaver holds is a key anybody uses now
                for (KeyId id : gone.keyIds()) {
                    byte[] old = gone.current(id).orElseThrow().key();
                    for (DeviceKeys d : devices.values()) {
                        d.current(id).ifPresent(now -> assertFalse(Arrays.equals(old, now.key()),
                                "leaver " + leaver + "'s " + id + " is still in use"));
                    }
                }
            }
            assertEveryLinkAgrees();
        }
        assertTrue(devices.size() > 20, "the run should end with a sizeable network: " + devices.size());
    }
}
