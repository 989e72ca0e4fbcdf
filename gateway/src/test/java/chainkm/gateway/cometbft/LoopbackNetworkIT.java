package chainkm.gateway.cometbft;

import static chainkm.gateway.cometbft.CometTestSupport.await;
import static chainkm.gateway.cometbft.CometTestSupport.awaitHeight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validators on loopback (3f+1 with f = 1), each with CometBFT's kvstore application:
 * they agree on every block's app hash, and keep committing with one of them down.
 */
class LoopbackNetworkIT {

    private static final int N = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<CometProcess> processes = new ArrayList<>();
    private final List<CometRpc> rpcs = new ArrayList<>();

    @AfterEach
    void stopEveryNode() {
        for (CometProcess p : processes) {
            p.close();
        }
    }

    private void startNetwork() throws Exception {
        Path binary = CometBinary.locate();
        List<CometHome> homes = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            homes.add(CometHome.init(binary, dir.resolve("gw" + i), "gw" + i));
        }
        CometHome.writeGenesis(homes, "chainkm-loopback", "{\"note\":\"kvstore ignores this\"}");
        int[] ports = CometTestSupport.freePorts(2 * N);
        for (int i = 0; i < N; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < N; j++) {
                if (j != i) {
                    peers.add(NodeConfig.loopbackPeer(homes.get(j).nodeId(), ports[2 * j]));
                }
            }
            homes.get(i).writeConfig(new NodeConfig("gw" + i, ports[2 * i], ports[2 * i + 1], "kvstore",
                    Profile.FAST, peers));
        }
        for (int i = 0; i < N; i++) {
            processes.add(CometProcess.start(CometProcess.Options.of(binary, homes.get(i).home(),
                    dir.resolve("gw" + i + ".log")).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))));
            rpcs.add(new CometRpc(ports[2 * i + 1]));
        }
    }

    private Path log(int i) {
        return processes.get(i).logFile();
    }

    /** Every running node reached {@code height}, and all agree on the app hash of every block up to it. */
    private void assertSameChainUpTo(long height, List<Integer> nodes) throws InterruptedException {
        for (int i : nodes) {
            awaitHeight(rpcs.get(i), height, WAIT, log(i));
        }
        for (long h = 1; h <= height; h++) {
            String expected = rpcs.get(nodes.get(0)).header(h).appHashHex();
            for (int i : nodes) {
                assertEquals(expected, rpcs.get(i).header(h).appHashHex(), "app hash of gw" + i + " at height " + h);
            }
        }
    }

    @Test
    void fourValidatorsAgreeAndSurviveOneDown() throws Exception {
        startNetwork();
        for (int i = 0; i < N; i++) {
            int node = i;
            await("gw" + i + " sees its 3 peers", WAIT, log(i), () -> rpcs.get(node).netInfoPeers() == N - 1);
        }

        long last = 0;
        for (int i = 0; i < N; i++) {
            CometRpc.CommitResult r = rpcs.get(i).broadcastTxCommit(("key" + i + "=value" + i).getBytes(StandardCharsets.UTF_8));
            assertTrue(r.isOk(), r.toString());
            last = Math.max(last, r.height());
        }
        assertSameChainUpTo(last + 1, List.of(0, 1, 2, 3));
        for (int i = 0; i < N; i++) {
            CometRpc.QueryResult q = rpcs.get(i).abciQuery("/store", "key3".getBytes(StandardCharsets.UTF_8));
            assertEquals("value3", new String(q.value(), StandardCharsets.UTF_8), "gw" + i);
        }

        // f = 1: with gw3 down the other three still commit
        processes.get(3).kill();
        assertFalse(processes.get(3).isAlive());
        CometRpc.CommitResult r = rpcs.get(0).broadcastTxCommit("while=down".getBytes(StandardCharsets.UTF_8));
        assertTrue(r.isOk(), r.toString());
        assertSameChainUpTo(r.height() + 1, List.of(0, 1, 2));

        // back up, gw3 catches up to the same chain
        processes.get(3).setSupervised(true);
        assertTrue(processes.get(3).awaitRestarts(1, WAIT));
        long target = rpcs.get(0).status().latestBlockHeight();
        assertSameChainUpTo(target, List.of(0, 1, 2, 3));
        CometRpc.QueryResult q = rpcs.get(3).abciQuery("/store", "while".getBytes(StandardCharsets.UTF_8));
        assertEquals("down", new String(q.value(), StandardCharsets.UTF_8));
    }
}
