package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, sleep and wake: a device sleeps through 100 joins and leaves (leaves in its own set
 * and a Reorder among them), wakes, catches up from its gateway, ends in exactly its awake
 * peers' key state, and exchanges D2D messages with every device; the leavers' keys are gone.
 */
class SleepIT extends TestnetIT {

    @Test
    void aDeviceThatSleptThroughAHundredOperationsCatchesUpAndTalksToEveryone() throws Exception {
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "s", 6);
        SimulatedDevices.Device sleeper = sim.get("s1");
        int gw = sleeper.agent().gatewayId();
        int sleeperNode = sleeper.node();
        // a commit answers once its own gateway committed: let every device and gateway 1 agree first
        RunningTestnet.await("every device to apply every join", Duration.ofSeconds(60),
                () -> sim.all().stream().allMatch(d -> d.agent().seq() == net.operations()) && net.operations() == 6);
        long startOps = net.operations();
        sleeper.agent().sleep();

        // 100 operations while it sleeps: joins through both gateways, then leaves, many from its gateway
        List<Integer> joined = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            JsonNode r = net.submit(1 + i % 2 == 1 ? gw : (gw % 2) + 1, "join", "commit", null, false);
            joined.add(r.path("node_id").asInt());
        }
        Set<Integer> left = new TreeSet<>();
        // first the members of the sleeper's own set, then others of its gateway
        int sleeperSet = net.query(1, "/node", Integer.toString(sleeperNode)).path("set_id").asInt();
        List<Integer> order = new ArrayList<>();
        for (int n : joined) {
            if (net.query(1, "/node", Integer.toString(n)).path("set_id").asInt() == sleeperSet) {
                order.add(n);
            }
        }
        for (int n : joined) {
            if (!order.contains(n)) {
                order.add(n);
            }
        }
        for (int n : order.subList(0, 40)) {
            int owner = net.query(1, "/node", Integer.toString(n)).path("gateway").asInt();
            JsonNode r = net.submit(owner, "leave", "commit", n, false);
            assertEquals("committed", r.path("status").asText(), r.toString());
            left.add(n);
        }
        RunningTestnet.await("gateway 1 to commit the 100 operations", Duration.ofSeconds(60),
                () -> net.operations() == startOps + 100);
        long ops = net.operations();
        JsonNode log = net.query(1, "/refresh", "0-" + Long.MAX_VALUE);
        int moves = 0;
        boolean ownSetLeave = false;
        for (JsonNode e : log.path("entries")) {
            moves += e.path("moves").size();
            ownSetLeave |= e.path("operation").asText().equals("leave") && e.path("set_id").asInt() == sleeperSet;
        }
        assertTrue(ownSetLeave, "some leave was in the sleeper's own set");
        assertTrue(moves > 0, "Reorder moved at least one node during the sleep");
        assertEquals(startOps, sleeper.agent().seq(), "a sleeping device hears nothing");

        sleeper.agent().wake();
        assertEquals(ops, sleeper.agent().seq(), "caught up to the ledger");
        RunningTestnet.await("the awake devices to be at the same seq", Duration.ofSeconds(60),
                () -> sim.all().stream().allMatch(d -> d.agent().seq() == ops));
        for (KeyId id : sleeper.agent().keyIds()) {
            for (int l : left) {
                assertFalse(id.kind() == KeyKind.PAIRWISE_NODE_KEY && id.involvesNode(l),
                        "the sleeper still holds " + id + " with leaver " + l);
            }
        }
        // exactly its awake peers' key state: every link it has agrees with the other end
        for (SimulatedDevices.Device peer : sim.all()) {
            if (peer == sleeper) {
                continue;
            }
            KeyId mine = sleeper.agent().setId() == peer.agent().setId()
                    ? KeyId.pairwiseNodeKey(sleeperNode, peer.node())
                    : KeyId.pairwiseSetKey(sleeper.agent().setId(), peer.agent().setId());
            assertTrue(sleeper.agent().keyIds().contains(mine), "no key for the link with " + peer.name());
            assertTrue(java.util.Arrays.equals(sleeper.agent().keyForTests(mine).orElseThrow().key(),
                    peer.agent().keyForTests(mine).orElseThrow().key()), "link " + mine + " differs after the wake");
        }
        // and D2D works both ways with every device
        sim.all().forEach(d -> d.inbox().clear());
        for (SimulatedDevices.Device peer : sim.all()) {
            if (peer != sleeper) {
                sleeper.agent().send(peer.node(), peer.agent().d2dAddress(), "from sleeper".getBytes(StandardCharsets.UTF_8));
                peer.agent().send(sleeperNode, sleeper.agent().d2dAddress(), "to sleeper".getBytes(StandardCharsets.UTF_8));
            }
        }
        int peers = sim.all().size() - 1;
        RunningTestnet.await("messages to and from the woken device", Duration.ofSeconds(30),
                () -> sleeper.inbox().size() == peers
                        && sim.all().stream().filter(d -> d != sleeper).allMatch(d -> d.inbox().size() == 1));
        assertEquals(0, sleeper.agent().refusedD2D());
    }
}
