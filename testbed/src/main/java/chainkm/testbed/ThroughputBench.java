package chainkm.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sustained load (issue 5, items 4 and 5): joins in sync mode arriving at every gateway at once
 * for a fixed time; committed joins per second (from the ledger), the latency of the gateway's
 * answer under that load, the first-attempt error rate of sync mode (answers that needed more
 * than one transaction, e.g. after a set conflict) and the operations finally lost (must be 0).
 */
final class ThroughputBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ThroughputBench() {}

    record Result(ObjectNode json, String markdown) {}

    static Result run(Testnet net, int gateways, int seconds, int clientsPerGateway) throws Exception {
        long startMembers = members(net);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger retried = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(gateways * clientsPerGateway);
        System.out.printf("bench: sustained sync-mode joins at %d gateways for %d s (%d clients each)%n", gateways,
                seconds, clientsPerGateway);
        long t0 = System.nanoTime();
        for (int g = 1; g <= gateways; g++) {
            for (int c = 0; c < clientsPerGateway; c++) {
                int gw = g;
                pool.execute(() -> {
                    ObjectNode req = JSON.createObjectNode().put("op", "join").put("mode", "sync");
                    while (System.nanoTime() < deadline) {
                        try {
                            long s = System.nanoTime();
                            JsonNode r = net.client(gw).submit(req, Duration.ofSeconds(60));
                            latencies.add((System.nanoTime() - s) / 1e6);
                            if (r.path("status").asText().equals("accepted")) {
                                accepted.incrementAndGet();
                                if (r.path("attempts").asInt() > 1) {
                                    retried.incrementAndGet();
                                }
                            } else {
                                refused.incrementAndGet();
                            }
                        } catch (Exception e) {
                            refused.incrementAndGet();
                        }
                    }
                });
            }
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 120L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long committedInWindow = members(net) - startMembers; // joins only: the ledger's members
        // every accepted join must land: wait for the committed ledger to hold them all (its member count, not
        // the key manager's sequence number, which may still be working through a backlog)
        long want = startMembers + accepted.get();
        long waitUntil = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (members(net) < want && System.nanoTime() < waitUntil) {
            Thread.sleep(200);
        }
        long lost = Math.max(0, want - members(net));
        Collections.sort(latencies);
        double median = latencies.isEmpty() ? 0 : latencies.get(latencies.size() / 2);
        double p95 = latencies.isEmpty() ? 0 : latencies.get((int) Math.ceil(latencies.size() * 0.95) - 1);
        double perSecond = committedInWindow / elapsed;
        double errorRate = accepted.get() == 0 ? 0 : (double) retried.get() / accepted.get();
        ObjectNode json = JSON.createObjectNode().put("gateways", gateways).put("seconds", elapsed)
                .put("clients_per_gateway", clientsPerGateway).put("accepted", accepted.get())
                .put("committed_per_second", perSecond).put("answer_median_ms", median).put("answer_p95_ms", p95)
                .put("first_attempt_error_rate", errorRate).put("refused_or_failed", refused.get()).put("lost", lost);
        String md = String.format("%n## Sustained load (fast profile, sync mode, %d gateways, %d clients each, %.0f s)%n%n"
                + "Committed joins per second: %.1f. Gateway answer under load: median %.1f ms, p95 %.1f ms. "
                + "First-attempt error rate (answers that took more than one transaction): %.1f%%. "
                + "Refused or failed requests: %d. Accepted operations lost: %d (must be 0).%n",
                gateways, clientsPerGateway, elapsed, perSecond, median, p95, 100 * errorRate, refused.get(), lost);
        if (lost > 0) {
            System.err.println("bench: " + lost + " accepted operations were lost");
        }
        return new Result(json, md);
    }

    private static long members(Testnet net) {
        JsonNode s = net.status(1);
        return s == null ? -1 : s.path("members").asLong();
    }
}
