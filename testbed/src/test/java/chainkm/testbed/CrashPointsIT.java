package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * CometBFT's own crash points around block execution (its libs/fail FAIL_TEST_INDEX). A gateway
 * that was down restarts behind the others, so it catches up by block sync, and there the
 * first four crash points it reaches are, in order: 0 after FinalizeBlock, 1 after saving the
 * FinalizeBlock responses (before Commit), 2 after Commit, 3 after saving CometBFT's state.
 * CometBFT exits there; the gateway's supervisor restarts it (without the crash point) and
 * the handshake replays whatever the application missed. Same app hash, nothing lost or twice.
 */
class CrashPointsIT extends TestnetIT {

    @Test
    void aCrashAtEachBlockExecutionCrashPointResumesWithTheSameAppHash() throws Exception {
        net = RunningTestnet.start(dir, 4);
        Set<Integer> committed = new TreeSet<>();
        Path cometLog = dir.resolve("gateway-2").resolve("cometbft.log");
        for (int index = 0; index <= 3; index++) {
            net.net.stop(2);
            for (int i = 0; i < 3; i++) {
                committed.add(join(1 + i % 2 * 2)); // through gateways 1 and 3 while 2 is down
            }
            long logSizeBefore = Files.size(cometLog);
            net.net.startGateway(2, List.of("--fail-test-index", Integer.toString(index)));
            String marker = "*** fail-test " + index + " ***";
            RunningTestnet.await("CometBFT of gateway 2 to crash at FAIL_TEST_INDEX " + index, Duration.ofSeconds(90),
                    () -> logSince(cometLog, logSizeBefore).contains(marker));
            awaitCometBftRestartedBySupervisor(2, Duration.ofSeconds(60));
            System.out.println("FAIL_TEST_INDEX " + index + ": crashed after: " + lastLineBefore(
                    logSince(cometLog, logSizeBefore), marker));
            committed.add(join(3));
            net.awaitSameAppHash(Duration.ofSeconds(90));
            assertEquals(committed, net.members(2), "gateway 2 after crash point " + index);
            assertEquals(committed, net.members(1));
        }
        assertEquals(4 * 4, committed.size());
    }

    /** A join through {@code gateway}, committed; its node id. */
    private int join(int gateway) throws Exception {
        SubmitAnswer joined = net.join(gateway).commit();
        assertThat(joined).isCommitted();
        return joined.nodeId();
    }

    /** Waits until {@code gateway}'s supervisor has restarted its CometBFT at least once and it is alive. */
    private void awaitCometBftRestartedBySupervisor(int gateway, Duration timeout) throws InterruptedException {
        RunningTestnet.await("gateway " + gateway + "'s CometBFT to be restarted by its supervisor", timeout,
                () -> {
                    JsonNode s = net.net.status(gateway);
                    return s == null ? null : s.path("cometbft");
                }, comet -> comet != null && comet.path("restarts").asInt() >= 1 && comet.path("alive").asBoolean());
    }

    private static String logSince(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastLineBefore(String text, String marker) {
        int at = text.indexOf(marker);
        if (at <= 0) {
            return "?";
        }
        String before = text.substring(0, at).strip();
        String line = before.substring(before.lastIndexOf('\n') + 1);
        assertTrue(!line.isEmpty());
        return line.length() > 160 ? line.substring(0, 160) : line;
    }
}
