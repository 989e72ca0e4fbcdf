package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.GatewayConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's lost operation: sync-mode joins arriving at all 4 gateways at once, so that blocks
 * keep invalidating joins still in the mempools (their set no longer what Assignment gives) and
 * gateways keep rebuilding them, while a short {@code resubmit_after_ms} makes each gateway's
 * watchdog resend attempts in the middle of those rebuilds. Every join a gateway answered
 * {@code accepted} must land: committed, once, its node a member.
 */
class AcceptedJoinsLandIT extends TestnetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GATEWAYS = 4;
    private static final int CLIENTS_PER_GATEWAY = 6;
    private static final Duration LOAD = Duration.ofSeconds(20);
    /** Far below the default 3 s: the watchdog resends while recheck-triggered rebuilds are under way. */
    private static final long RESUBMIT_AFTER_MS = 150;

    private record Answer(int gateway, JsonNode json) {
        String status() {
            return json.path("status").asText();
        }

        String landed() {
            return json.path("landed").path("status").asText();
        }

        int nodeId() {
            return json.path("node_id").asInt();
        }
    }

    @Test
    void everyAcceptedSyncJoinLandsWhileGatewaysRebuildAndResendConcurrently() throws Exception {
        net = RunningTestnet.start(dir, GATEWAYS, AcceptedJoinsLandIT::shortResubmit);
        Set<Integer> before = net.members(1);
        List<Answer> answers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + LOAD.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(GATEWAYS * CLIENTS_PER_GATEWAY);
        try {
            for (int g = 1; g <= GATEWAYS; g++) {
                for (int c = 0; c < CLIENTS_PER_GATEWAY; c++) {
                    int gateway = g;
                    pool.execute(() -> joinUntil(deadline, gateway, answers, failures));
                }
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(LOAD.toSeconds() + 150, TimeUnit.SECONDS), "clients did not finish");
        } finally {
            pool.shutdownNow();
        }

        List<Answer> accepted = answers.stream().filter(a -> a.status().equals("accepted")).toList();
        List<Answer> notLanded = accepted.stream().filter(a -> !a.landed().equals("committed")).toList();
        long rebuilt = accepted.stream().filter(a -> a.json().path("landed").path("attempts").asInt() > 1).count();
        System.out.printf("accepted-joins test: %d answers, %d accepted, %d of them rebuilt, %d did not land, "
                + "%d requests failed%n", answers.size(), accepted.size(), rebuilt, notLanded.size(), failures.size());
        assertTrue(notLanded.isEmpty(), notLanded.size() + " accepted joins did not land, e.g. "
                + notLanded.subList(0, Math.min(3, notLanded.size())));
        assertTrue(failures.isEmpty(), "requests failed: " + failures);
        assertEquals(answers.size(), accepted.size(), "every answer is accepted: " + answers);
        assertTrue(rebuilt > 0, "the load made no gateway rebuild a join: the test exercised nothing");

        Set<Integer> ids = new TreeSet<>();
        for (Answer a : accepted) {
            assertTrue(ids.add(a.nodeId()), "node id acknowledged twice: " + a);
        }
        Set<Integer> members = net.members(1);
        assertTrue(members.containsAll(ids), "accepted joins whose node is no member");
        assertEquals(before.size() + ids.size(), members.size(), "each accepted join applied exactly once");
        net.awaitSameAppHash(List.of(1, 2, 3, 4), Duration.ofSeconds(60));
    }

    private static void shortResubmit(Path generated) throws IOException {
        for (int g = 1; g <= GATEWAYS; g++) {
            Path home = generated.resolve("gateway-" + g);
            GatewayConfig.load(home).withResubmitAfterMs(RESUBMIT_AFTER_MS).save(home);
        }
    }

    /** One client: sync-mode joins one after the other, each answer waiting for the landing too. */
    private void joinUntil(long deadline, int gateway, List<Answer> answers, List<String> failures) {
        ObjectNode req = JSON.createObjectNode().put("op", "join").put("mode", "sync").put("wait", "landed");
        while (System.nanoTime() < deadline) {
            try {
                JsonNode r = net.net.client(gateway).submit(req, Duration.ofSeconds(150));
                synchronized (answers) {
                    answers.add(new Answer(gateway, r));
                }
            } catch (Exception e) {
                synchronized (failures) {
                    failures.add("gateway " + gateway + ": " + e);
                }
                return;
            }
        }
    }
}
