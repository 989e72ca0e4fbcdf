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
 * Sync mode's first-attempt error rate against the number of gateways (the paper's Fig. 5c):
 * {@code clients} concurrent submitters in all (spread round-robin over the gateways, so the
 * offered concurrency is the same whatever the number of gateways), each sending sync-mode
 * joins one after the other for {@code seconds} and waiting for each to land. An operation
 * counts as a first-attempt error when the transaction its first answer accepted is not the one
 * stored (CheckTx refused the first build, or the block refused or dropped it and the gateway
 * rebuilt it). An accepted operation that never lands is lost; the benchmark fails on any.
 */
final class ErrorRateBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorRateBench() {}

    record Point(String profile, int gateways, int clients, double seconds, int operations, int firstAttemptErrors,
                 int lost, double answerMedian, double committedPerSecond) {
        double errorRate() {
            return operations == 0 ? 0 : (double) firstAttemptErrors / operations;
        }

        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode().put("profile", profile).put("gateways", gateways)
                    .put("concurrent_submitters", clients).put("seconds", seconds).put("operations", operations)
                    .put("first_attempt_errors", firstAttemptErrors).put("first_attempt_error_rate", errorRate())
                    .put("lost", lost).put("committed_per_second", committedPerSecond);
            ResponseTimeBench.ms(o, "answer_median_ms", answerMedian);
            return o;
        }
    }

    static Point run(Testnet net, String profile, int gateways, int clients, int seconds) throws Exception {
        AtomicInteger ops = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        List<Double> answers = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        System.out.printf("bench: %s, %d gateways: sync-mode first-attempt errors, %d concurrent submitters for %d s%n",
                profile, gateways, clients, seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int gw = 1 + c % gateways;
            pool.execute(() -> {
                while (System.nanoTime() < deadline) {
                    ObjectNode req = JSON.createObjectNode().put("op", "join").put("mode", "sync").put("wait", "landed");
                    try {
                        JsonNode r = net.client(gw).submit(req, Duration.ofSeconds(180));
                        if (!r.path("status").asText().equals("accepted")) {
                            lost.incrementAndGet(); // a fresh join must never be refused for good
                            System.err.println("bench: a join was refused: " + r);
                            continue;
                        }
                        answers.add(r.path("elapsed_ms").asDouble());
                        ops.incrementAndGet();
                        JsonNode landed = r.path("landed");
                        if (!landed.path("status").asText().equals("committed")) {
                            lost.incrementAndGet();
                            System.err.println("bench: an accepted join did not land: " + r);
                        } else if (r.path("attempts").asInt() > 1 || landed.path("attempts").asInt() > 1
                                || !landed.path("tx_hash").asText().equals(r.path("tx_hash").asText())) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        lost.incrementAndGet();
                        System.err.println("bench: submission through gateway " + gw + " failed: " + e);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 240L, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Point(profile, gateways, clients, elapsed, ops.get(), errors.get(), lost.get(),
                ResponseTimeBench.median(answers), ops.get() / elapsed);
    }
}
