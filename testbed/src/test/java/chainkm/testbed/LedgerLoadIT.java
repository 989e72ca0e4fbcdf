package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.sets.LayoutBounds;
import chainkm.protocol.sets.SetLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 2's load test on a real 4-gateway testnet: 200 joins round-robin across the gateways,
 * half in commit and half in sync mode, eight at a time; gateway 4 is killed with kill -9
 * (its JVM and its CometBFT) during the load and restarted later.
 */
class LedgerLoadIT extends TestnetIT {
    private static final int JOINS = 200;
    private static final int KILL_AT = 70;
    private static final int RESTART_AT = 140;

    private record Ack(int index, int gateway, String mode, SubmitAnswer result) {}

    @Test
    void everyJoinCommitsExactlyOnceWhileAGatewayIsKilledAndRestarted() throws Exception {
        net = RunningTestnet.start(dir, 4);
        Map<Integer, Ack> acked = new ConcurrentHashMap<>();
        AtomicInteger unacknowledged = new AtomicInteger();
        List<String> refused = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < JOINS; i++) {
                if (i == KILL_AT) {
                    net.net.kill(4);
                }
                if (i == RESTART_AT) {
                    net.net.startGateway(4, List.of());
                }
                boolean fourIsDown = i >= KILL_AT && i < RESTART_AT;
                int gateway = 1 + i % 4;
                if (gateway == 4 && fourIsDown) {
                    gateway = 1 + (i / 4) % 3; // while gateway 4 is down its devices go to the others
                }
                String mode = i % 2 == 0 ? "commit" : "sync";
                int index = i;
                int gw = gateway;
                futures.add(pool.submit(() -> {
                    submitUntilAnswered(index, gw, mode, acked, unacknowledged, refused);
                    return null;
                }));
                if (i == RESTART_AT) {
                    // let the restarted gateway come back before sending it more
                    for (Future<?> f : futures) {
                        f.get(120, TimeUnit.SECONDS);
                    }
                    net.net.awaitReady(Duration.ofSeconds(90));
                }
            }
            for (Future<?> f : futures) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(refused.isEmpty(), "joins refused: " + refused);
        assertEquals(JOINS, acked.size(), "every join acknowledged in the end");

        // every acknowledged join, commit or sync mode, ends in the ledger exactly once
        Set<Integer> ackedIds = new TreeSet<>();
        for (Ack a : acked.values()) {
            assertTrue(ackedIds.add(a.result().nodeId()), "node id acknowledged twice: " + a);
            if (a.mode().equals("commit")) {
                assertThat(a.result()).isCommitted();
            } else {
                assertThat(a.result()).isAccepted();
            }
        }
        net.awaitMembers(ackedIds, Duration.ofSeconds(120)); // every acknowledged join
        String agreed = net.awaitSameAppHash(Duration.ofSeconds(120));
        Set<Integer> members = net.members(1);
        int extra = members.size() - ackedIds.size();
        assertTrue(extra >= 0 && extra <= unacknowledged.get(),
                members.size() + " members for " + ackedIds.size() + " acknowledged joins and "
                        + unacknowledged.get() + " cut off by the kill");
        for (int g : List.of(2, 3, 4)) {
            assertEquals(members, net.members(g), "gateway " + g + " sees other members");
        }

        // about sqrt(200) sets of about sqrt(200) members, within the stated bounds
        SetLayout layout = net.layout(4);
        LayoutBounds.check(layout, 4);
        int n = layout.memberCount();
        assertTrue(layout.setCount() <= LayoutBounds.maxSetCount(n, 4), layout.setCount() + " sets");
        assertTrue(layout.setCount() >= Math.floor(Math.sqrt(n)) / 2, layout.setCount() + " sets for " + n);
        System.out.println("load test: " + acked.size() + " acknowledged, " + unacknowledged.get()
                + " cut off by the kill, " + members.size() + " members in " + layout.setCount()
                + " sets; all gateways at " + agreed);
    }

    /**
     * Submits one join. A gateway killed while answering leaves the outcome unknown to the
     * client: that attempt is counted as unacknowledged (it may or may not have landed) and the
     * device tries another gateway, as a real one would.
     */
    private void submitUntilAnswered(int index, int gateway, String mode, Map<Integer, Ack> acked,
                                     AtomicInteger unacknowledged, List<String> refused) throws Exception {
        int gw = gateway;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                SubmitAnswer r = mode.equals("commit") ? net.join(gw).commit() : net.join(gw).sync();
                if (r.status().equals("refused")) {
                    synchronized (refused) {
                        refused.add(r.toString());
                    }
                }
                acked.put(index, new Ack(index, gw, mode, r));
                return;
            } catch (IOException e) {
                // the join may have landed before the gateway died; a fresh join through another gateway follows
                unacknowledged.incrementAndGet();
                gw = 1 + (gw % 3); // gateways 1..3 stay up
                if (attempt == 4) {
                    throw e;
                }
            }
        }
    }
}
