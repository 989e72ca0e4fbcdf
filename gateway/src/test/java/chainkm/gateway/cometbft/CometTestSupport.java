package chainkm.gateway.cometbft;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Small helpers for tests that run real CometBFT nodes. */
final class CometTestSupport {

    private CometTestSupport() {
    }

    /** {@code count} distinct ephemeral loopback ports, free at the time of the call. */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a port we cannot close is not one we hand out twice
                }
            }
        }
    }

    /**
     * Polls {@code condition} until it holds; RPC failures while polling count as "not yet".
     * Fails the test with {@code what} (and the node log's tail, if given) on timeout.
     */
    static void await(String what, Duration timeout, Path log, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        CometRpcException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (CometRpcException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting until " + what
                + (last == null ? "" : " (last RPC error: " + last.getMessage() + ")") + logTail(log));
    }

    /** Waits until the node has committed a block at height {@code height} or above. */
    static long awaitHeight(CometRpc rpc, long height, Duration timeout, Path log) throws InterruptedException {
        await("height reaches " + height + " on " + rpc, timeout, log,
                () -> rpc.status().latestBlockHeight() >= height);
        return rpc.status().latestBlockHeight();
    }

    static String logTail(Path log) {
        if (log == null || !Files.exists(log)) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "\n(cannot read " + log + ": " + e + ")";
        }
    }
}
