package chainkm.testbed;

import static chainkm.testbed.D2DChecks.send;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, sleep and wake: a device sleeps through 100 joins and leaves (leaves in its own set
 * and a Reorder among them), wakes, catches up from its gateway, ends in exactly its awake
 * peers' key state, and exchanges D2D messages with every device; the leavers' keys are gone.
 */
class SleepIT extends ScenarioIT {
    private SimulatedDevices.Device sleeper;
    private long startOps;
    /** The ledger's seq after the 100 operations. */
    private long ops;
    private final Set<Integer> left = new TreeSet<>();

    @BeforeAll
    void sixDevicesOnTwoGateways() throws Exception {
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "s", 6);
        sleeper = sim.get("s1");
        // a commit answers once its own gateway committed: let every device and gateway 1 agree first
        awaitLedgerAndEveryDeviceAtSeq(6, Duration.ofSeconds(60));
        startOps = net.operations();
    }

    @Test
    @Order(1)
    void aSleepingDeviceHearsNothingOfAHundredOperationsWithLeavesInItsSetAndAReorder() throws Exception {
        int gw = sleeper.agent().gatewayId();
        sleeper.agent().sleep();

        // 100 operations while it sleeps: joins through both gateways, then leaves, many from its gateway
        List<Integer> joined = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            joined.add(net.join(1 + i % 2 == 1 ? gw : (gw % 2) + 1).commit().nodeId());
        }
        // first the members of the sleeper's own set, then others of its gateway
        int sleeperSet = net.node(sleeper.node()).setId();
        List<Integer> order = new ArrayList<>();
        for (int n : joined) {
            if (net.node(n).setId() == sleeperSet) {
                order.add(n);
            }
        }
        for (int n : joined) {
            if (!order.contains(n)) {
                order.add(n);
            }
        }
        for (int n : order.subList(0, 40)) {
            assertThat(net.leave(net.node(n).owner(), n).commit()).isCommitted();
            left.add(n);
        }
        net.awaitOperations(startOps + 100, Duration.ofSeconds(60));
        ops = net.operations();
        JsonNode log = net.query(1, "/refresh", "0-" + Long.MAX_VALUE);
        int moves = 0;
        boolean ownSetLeave = false;
        for (JsonNode e : log.path("entries")) {
            moves += e.path("moves").size();
            ownSetLeave |= e.path("operation").asText().equals("leave") && e.path("set_id").asInt() == sleeperSet;
        }
        assertTrue(ownSetLeave, "some leave was in the sleeper's own set");
        assertTrue(moves > 0, "Reorder moved at least one node during the sleep");
        assertThat(sleeper).because("a sleeping device hears nothing").isAtSeq(startOps);
    }

    @Test
    @Order(2)
    void onWakingItCatchesUpToTheLedger() throws Exception {
        sleeper.agent().wake();
        assertThat(sleeper).because("caught up to the ledger").isAtSeq(ops);
        awaitEveryDeviceAtSeq(ops, Duration.ofSeconds(60));
    }

    @Test
    @Order(3)
    void itHoldsNoKeyWithAnyLeaver() {
        for (int l : left) {
            assertThat(sleeper).holdsNoKeyWith(l);
        }
    }

    @Test
    @Order(4)
    void itEndsInExactlyItsAwakePeersKeyState() {
        // every link it has agrees with the other end
        for (SimulatedDevices.Device peer : sim.all()) {
            if (peer != sleeper) {
                assertThat(sleeper).sharesItsLinkKeyWith(peer);
            }
        }
    }

    @Test
    @Order(5)
    void itTalksD2DBothWaysWithEveryDevice() throws Exception {
        sim.all().forEach(d -> d.inbox().clear());
        for (SimulatedDevices.Device peer : sim.all()) {
            if (peer != sleeper) {
                send(sleeper, peer, "from sleeper");
                send(peer, sleeper, "to sleeper");
            }
        }
        int peers = sim.all().size() - 1;
        RunningTestnet.await("messages to and from the woken device", Duration.ofSeconds(30),
                () -> sleeper.inbox().size() == peers
                        && sim.all().stream().filter(d -> d != sleeper).allMatch(d -> d.inbox().size() == 1));
        assertThat(sleeper).hasRefusedNoD2DMessage();
    }
}
