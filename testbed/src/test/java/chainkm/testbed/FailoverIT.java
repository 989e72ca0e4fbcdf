package chainkm.testbed;

import static chainkm.testbed.D2DChecks.everyPairExchanges;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, gateway failure: 24 devices on 4 gateways, kill -9 of gateway 2 (its JVM and its
 * CometBFT). Its six devices notice (MQTT down for orphan_after, then a CoAP probe), rejoin the
 * next gateway of their bundle with their hash-chain proof (no consensus wait, nobody rekeyed)
 * within the stated bound, and D2D works between every pair. Operations go on meanwhile and
 * land exactly once; when gateway 2 is back, what it made for its devices reaches them through
 * the gateways they are attached to, every device ends at the ledger's seq, and gateway 2 holds
 * no stale attachment.
 */
class FailoverIT extends ScenarioIT {
    /** Orphan detection: MQTT silent this long, then a CoAP probe with the same timeout. */
    static final Duration ORPHAN_AFTER = Duration.ofSeconds(5);
    /** The stated bound from kill -9 to every orphan reattached: 2 x ORPHAN_AFTER + rejoin, with margin for 2 cores. */
    static final Duration REATTACH_BOUND = Duration.ofSeconds(30);

    /** Gateway 2's devices; the first of them sleeps through the failure, the others are awake. */
    private List<SimulatedDevices.Device> orphans;
    private SimulatedDevices.Device sleeper;
    private SimulatedDevices.Device leaver;

    @BeforeAll
    void twentyFourDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.none(dir);
        sim.orphanAfter(ORPHAN_AFTER);
        sim.add("f", 1, 24);
        awaitLedgerAndEveryDeviceAtSeq(24, Duration.ofSeconds(90));
    }

    @Test
    @Order(1)
    void theOrphansOfAKilledGatewayReattachElsewhereWithinTheBound() throws Exception {
        orphans = sim.all().stream().filter(d -> d.agent().attachedGateway() == 2).toList();
        assertTrue(orphans.size() >= 5, "gateway 2 serves about a quarter of the devices: " + orphans.size());
        // one of them sleeps through the failure: its wake goes through a rejoin first
        sleeper = orphans.get(0);
        List<SimulatedDevices.Device> awake = orphans.subList(1, orphans.size());
        sleeper.agent().sleep();

        long killedAt = System.nanoTime();
        net.net.kill(2);
        RunningTestnet.await("gateway 2's devices to reattach elsewhere (bound " + REATTACH_BOUND.toSeconds() + " s)",
                REATTACH_BOUND, () -> awake.stream().allMatch(d -> d.agent().attachedGateway() != 2));
        System.out.printf("FailoverIT: %d orphans reattached %.1f s after kill -9%n", awake.size(),
                (System.nanoTime() - killedAt) / 1e9);
    }

    @Test
    @Order(2)
    void aSleepingOrphanNoticesNothingAndItsWakeGoesThroughARejoin() throws Exception {
        assertThat(sleeper).because("a sleeping device does not notice").isAttachedTo(2);
        sleeper.agent().wake();
        assertThat(sleeper).because("the wake went through a rejoin").isNotAttachedTo(2);
    }

    @Test
    @Order(3)
    void aRejoinRekeysNobodyAndIsNoKeyOperation() throws Exception {
        for (SimulatedDevices.Device d : orphans) {
            assertThat(d).because("a rejoin rekeys nobody").isAtSeq(24);
        }
        // the REJOINs are on the ledger: attachment moved, no refresh entry
        awaitAttachmentsOnLedger(orphans, Duration.ofSeconds(30));
        assertEquals(24, net.operations(), "a rejoin is not a key operation");
    }

    @Test
    @Order(4)
    void everyPairTalksAfterTheKill() throws Exception {
        everyPairExchanges(sim.all(), "after-kill");
    }

    @Test
    @Order(5)
    void joinsAndLeavesGoOnWithoutTheKilledGatewayAndLandExactlyOnce() throws Exception {
        List<SimulatedDevices.Device> newcomers = new ArrayList<>();
        newcomers.add(sim.startOne("late1", 1));
        newcomers.add(sim.startOne("late2", 3));
        leaver = sim.all().stream()
                .filter(d -> d.agent().gatewayId() == 4 && !newcomers.contains(d)).findFirst().orElseThrow();
        leaver.agent().leave(); // signed by the device, committed before it returns
        sim.stop(leaver.name());
        assertEquals(27, net.operations(), "every join and leave landed exactly once");
    }

    @Test
    @Order(6)
    void theReturningGatewayHoldsNoStaleAttachmentAndEveryDeviceReachesTheLedgersSeq() throws Exception {
        // gateway 2 returns: it owns its sets again, serves its devices through their gateways
        net.net.startGateway(2, List.of());
        net.awaitSameAppHash(Duration.ofSeconds(120));
        awaitEveryDeviceAtSeq(27, Duration.ofSeconds(90));
        JsonNode status2 = net.net.status(2);
        assertEquals(0, status2.path("attached_devices").asInt(), "gateway 2 holds no stale attachment: " + status2);
        for (SimulatedDevices.Device d : orphans) {
            assertNotEquals(2, net.node(d.node(), 2).attachedGateway());
        }
        assertFalse(sim.all().contains(leaver));
        assertEquals(25, sim.all().size());
    }

    @Test
    @Order(7)
    void everyPairTalksAfterTheReturnAndNothingLandedTwice() throws Exception {
        everyPairExchanges(sim.all(), "after-return");
        assertEquals(27, net.operations());
        assertTrue(net.members(1).size() == 25, "25 members on the ledger");
    }
}
