package chainkm.testbed;

import static chainkm.testbed.D2DChecks.everyPairExchanges;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, mobility: a device moves gateway 1 -> 2 -> 3 -> 1 (`device move --to`) while it and
 * a peer exchange D2D messages without pause. Every message is retransmitted until the other
 * side acknowledges it (by receiving it); none is refused and none is given up on, so no
 * acknowledged message is lost and none is left unacknowledged. Joins and leaves happen while it
 * is away from its owner gateway; the owner's messages reach it through the gateway it is
 * attached to, and its keys end equal to its peers'. A move runs no consensus round and rekeys
 * nobody: the ledger's operation count does not change.
 */
class MobilityIT extends TestnetIT {

    /** Sends numbered messages from one device to another, each until it arrives; counts what it gave up on. */
    private static final class Traffic implements Runnable {
        final SimulatedDevices.Device from;
        final SimulatedDevices.Device to;
        final Set<String> delivered = ConcurrentHashMap.newKeySet();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger givenUp = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile boolean running = true;

        Traffic(SimulatedDevices.Device from, SimulatedDevices.Device to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try {
                while (running) {
                    String text = from.name() + "#" + sent.incrementAndGet();
                    boolean acked = false;
                    for (int attempt = 0; attempt < 20 && !acked; attempt++) {
                        from.agent().send(to.node(), to.agent().d2dAddress(), text.getBytes(StandardCharsets.UTF_8));
                        long until = System.nanoTime() + 250_000_000L;
                        while (System.nanoTime() < until && !acked) {
                            acked = to.inbox().stream().anyMatch(r -> r.text().equals(text));
                            Thread.sleep(5);
                        }
                    }
                    if (acked) {
                        delivered.add(text);
                    } else {
                        givenUp.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }
    }

    @Test
    void aDeviceMovesBetweenGatewaysWhileTalkingAndLosesNothing() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "m", 8);
        awaitLedgerAndEveryDeviceAtSeq(8, Duration.ofSeconds(60));
        SimulatedDevices.Device mover = sim.all().stream().filter(d -> d.agent().gatewayId() == 1).findFirst().orElseThrow();
        SimulatedDevices.Device peer = sim.all().stream().filter(d -> d.agent().gatewayId() == 4).findFirst().orElseThrow();
        Traffic out = new Traffic(mover, peer);
        Traffic back = new Traffic(peer, mover);
        Thread t1 = new Thread(out, "traffic-out");
        Thread t2 = new Thread(back, "traffic-back");
        t1.start();
        t2.start();

        for (int to : List.of(2, 3)) {
            long ops = net.operations();
            long rejoinStarted = System.nanoTime();
            mover.agent().moveTo(to);
            System.out.printf("MobilityIT: moved to gateway %d in %.0f ms%n", to, (System.nanoTime() - rejoinStarted) / 1e6);
            assertThat(mover).isAttachedTo(to);
            assertEquals(ops, net.operations(), "a move is no key operation");
            net.awaitAttachedOnLedger(mover.node(), to, Duration.ofSeconds(30));
            Thread.sleep(500);
        }
        // while it is at gateway 3, away from its owner: a join and a leave, with the traffic going on
        SimulatedDevices.Device newcomer = sim.startOne("m-new", 1);
        SimulatedDevices.Device leaver = sim.all().stream()
                .filter(d -> d != mover && d != peer && d != newcomer).findFirst().orElseThrow();
        leaver.agent().leave(); // signed by the device, committed before it returns
        sim.stop(leaver.name());
        // the mover, at gateway 3, gets its owner's messages through it
        awaitEveryDeviceAtSeq(10, Duration.ofSeconds(60));
        mover.agent().moveTo(1);
        Thread.sleep(1000);

        out.running = false;
        back.running = false;
        t1.join(30_000);
        t2.join(30_000);
        assertEquals(null, out.error.get(), "sending failed: " + out.error.get());
        assertEquals(null, back.error.get(), "sending failed: " + back.error.get());
        assertTrue(out.sent.get() > 20 && back.sent.get() > 20, "traffic went on during the moves");
        assertEquals(0, out.givenUp.get() + back.givenUp.get(), "every message was acknowledged");
        assertEquals(out.sent.get(), out.delivered.size());
        assertEquals(back.sent.get(), back.delivered.size());
        assertThat(mover).hasRefusedNoD2DMessage();
        assertThat(peer).hasRefusedNoD2DMessage();
        assertEquals(10, net.operations(), "8 joins, a join and a leave: the moves added no key operation");
        everyPairExchanges(sim.all(), "after-moves");
    }
}
