package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
class FailoverIT extends TestnetIT {
    /** Orphan detection: MQTT silent this long, then a CoAP probe with the same timeout. */
    static final Duration ORPHAN_AFTER = Duration.ofSeconds(5);
    /** The stated bound from kill -9 to every orphan reattached: 2 x ORPHAN_AFTER + rejoin, with margin for 2 cores. */
    static final Duration REATTACH_BOUND = Duration.ofSeconds(30);


    @Test
    void orphansOfAKilledGatewayReattachAndNothingIsLost() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.none(dir);
        sim.orphanAfter(ORPHAN_AFTER);
        sim.add("f", 1, 24);
        RunningTestnet.await("every device to apply every join", Duration.ofSeconds(90),
                () -> net.operations() == 24 && sim.all().stream().allMatch(d -> d.agent().seq() == 24));
        List<SimulatedDevices.Device> orphans = sim.all().stream().filter(d -> d.agent().attachedGateway() == 2).toList();
        assertTrue(orphans.size() >= 5, "gateway 2 serves about a quarter of the devices: " + orphans.size());

        // one of them sleeps through the failure: its wake goes through a rejoin first
        SimulatedDevices.Device sleeper = orphans.get(0);
        List<SimulatedDevices.Device> awake = orphans.subList(1, orphans.size());
        sleeper.agent().sleep();

        long killedAt = System.nanoTime();
        net.net.kill(2);
        RunningTestnet.await("gateway 2's devices to reattach elsewhere (bound " + REATTACH_BOUND.toSeconds() + " s)",
                REATTACH_BOUND, () -> awake.stream().allMatch(d -> d.agent().attachedGateway() != 2));
        System.out.printf("FailoverIT: %d orphans reattached %.1f s after kill -9%n", awake.size(),
                (System.nanoTime() - killedAt) / 1e9);
        assertEquals(2, sleeper.agent().attachedGateway(), "a sleeping device does not notice");
        sleeper.agent().wake();
        assertNotEquals(2, sleeper.agent().attachedGateway(), "the wake went through a rejoin");
        for (SimulatedDevices.Device d : orphans) {
            assertEquals(24, d.agent().seq(), d.name() + ": a rejoin rekeys nobody");
        }
        // the REJOINs are on the ledger: attachment moved, no refresh entry
        RunningTestnet.await("the rejoins to be committed", Duration.ofSeconds(30), () -> orphans.stream().allMatch(
                d -> net.query(1, "/node", Integer.toString(d.node())).path("attached_gateway").asInt()
                        == d.agent().attachedGateway()));
        assertEquals(24, net.operations(), "a rejoin is not a key operation");
        D2DChecks.everyPairExchanges(sim.all(), "after-kill");

        // operations go on without gateway 2: two joins and a leave through the others
        List<SimulatedDevices.Device> newcomers = new ArrayList<>();
        newcomers.add(sim.startOne("late1", 1));
        newcomers.add(sim.startOne("late2", 3));
        SimulatedDevices.Device leaver = sim.all().stream()
                .filter(d -> d.agent().gatewayId() == 4 && !newcomers.contains(d)).findFirst().orElseThrow();
        int owner = net.query(1, "/node", Integer.toString(leaver.node())).path("gateway").asInt();
        JsonNode left = net.submit(owner, "leave", "commit", leaver.node(), false);
        assertEquals("committed", left.path("status").asText(), left.toString());
        sim.stop(leaver.name());
        assertEquals(27, net.operations(), "every join and leave landed exactly once");

        // gateway 2 returns: it owns its sets again, serves its devices through their gateways
        net.net.startGateway(2, List.of());
        net.awaitSameAppHash(net.ids(), Duration.ofSeconds(120));
        RunningTestnet.await("every device to reach the ledger's seq", Duration.ofSeconds(90),
                () -> sim.all().stream().allMatch(d -> d.agent().seq() == 27));
        JsonNode status2 = net.net.status(2);
        assertEquals(0, status2.path("attached_devices").asInt(), "gateway 2 holds no stale attachment: " + status2);
        for (SimulatedDevices.Device d : orphans) {
            assertNotEquals(2, net.query(2, "/node", Integer.toString(d.node())).path("attached_gateway").asInt());
        }
        assertFalse(sim.all().contains(leaver));
        assertEquals(25, sim.all().size());
        D2DChecks.everyPairExchanges(sim.all(), "after-return");
        assertEquals(27, net.operations());
        assertTrue(net.members(1).size() == 25, "25 members on the ledger");
    }
}
