package chainkm.gateway.abci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** A real CometBFT validator drives the test application through {@link AbciServer}, on its unix socket as in a gateway. */
class AbciServerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path home;

    private final HashChainApp app = new HashChainApp();
    private AbciServer server;
    private CometbftTestNode node;

    @AfterEach
    void stopEverything() throws InterruptedException {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void committedTransactionsReachTheApplicationAndTheAppHash() throws Exception {
        server = AbciServer.startUnix(app, home.resolve("abci.sock"));
        node = CometbftTestNode.start(CometbftTestNode.binary(), home, server.proxyAppAddress());
        try {
            node.awaitRpc(TIMEOUT);

            List<String> txs = List.of("alpha=1", "beta=2", "gamma=3");
            long lastTxHeight = 0;
            for (String tx : txs) {
                JsonNode result = broadcastTxCommit(tx);
                assertEquals(0, result.path("check_tx").path("code").asInt(0), "CheckTx of " + tx + ": " + result);
                assertEquals(0, result.path("tx_result").path("code").asInt(0), "exec of " + tx + ": " + result);
                long height = result.path("height").asLong();
                assertTrue(height > 0, "committed at height " + height);
                lastTxHeight = Math.max(lastTxHeight, height);
            }

            List<String> seen = new ArrayList<>();
            app.finalizedTxs().forEach(tx -> seen.add(tx.toString(StandardCharsets.UTF_8)));
            assertEquals(txs, seen, "txs the application saw in FinalizeBlock");

            JsonNode syncInfo = awaitHeightAbove(lastTxHeight);
            long height = syncInfo.path("latest_block_height").asLong();
            String reported = syncInfo.path("latest_app_hash").asText();
            // a header carries the app hash after executing the block before it
            assertEquals(HEX.formatHex(app.appHashAfter(height - 1).toByteArray()), reported.toLowerCase(),
                    "app hash in the header of block " + height);
            assertEquals(HEX.formatHex(app.appHash().toByteArray()), reported.toLowerCase(),
                    "app hash after the last tx");
        } catch (Throwable failure) {
            System.err.println("---- cometbft log tail ----\n" + node.logTail(80));
            throw failure;
        }
    }

    @Test
    void restartedCometbftReconnectsAndResumesFromInfo() throws Exception {
        server = AbciServer.startUnix(app, home.resolve("abci.sock"));
        node = CometbftTestNode.start(CometbftTestNode.binary(), home, server.proxyAppAddress());
        try {
            node.awaitRpc(TIMEOUT);
            long before = broadcastTxCommit("before=restart").path("height").asLong();
            node.close();
            awaitNoConnections();

            node = CometbftTestNode.start(CometbftTestNode.binary(), home, server.proxyAppAddress());
            node.awaitRpc(TIMEOUT);
            long after = broadcastTxCommit("after=restart").path("height").asLong();

            assertTrue(after > before, "heights " + before + " then " + after);
            JsonNode syncInfo = awaitHeightAbove(after);
            assertEquals(HEX.formatHex(app.appHash().toByteArray()),
                    syncInfo.path("latest_app_hash").asText().toLowerCase());
            assertEquals(2, app.finalizedTxs().size(), "each tx executed once");
        } catch (Throwable failure) {
            System.err.println("---- cometbft log tail ----\n" + node.logTail(80));
            throw failure;
        }
    }

    private void awaitNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.connectionCount() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(server.connectionCount() + " ABCI connections still open");
            }
            Thread.sleep(20);
        }
    }

    private JsonNode broadcastTxCommit(String tx) throws Exception {
        String hex = HEX.formatHex(tx.getBytes(StandardCharsets.UTF_8));
        return node.rpc("/broadcast_tx_commit?tx=0x" + hex);
    }

    /** Polls /status until a block above {@code height} exists; returns its sync_info. */
    private JsonNode awaitHeightAbove(long height) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JsonNode syncInfo = node.rpc("/status").path("sync_info");
            if (syncInfo.path("latest_block_height").asLong() > height) {
                return syncInfo;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no block above height " + height + ": " + syncInfo);
            }
            Thread.sleep(50);
        }
    }
}
