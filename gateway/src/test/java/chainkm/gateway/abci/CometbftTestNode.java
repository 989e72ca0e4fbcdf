package chainkm.gateway.abci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A single-validator CometBFT process for integration tests: {@code init} in a home
 * directory, loopback ephemeral ports, short consensus timeouts, and {@code proxy_app}
 * pointing at our ABCI server. Output goes to {@code cometbft.log} in the home directory.
 * {@link #close()} always ends the process.
 */
final class CometbftTestNode implements AutoCloseable {

    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final int rpcPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private CometbftTestNode(Process process, Path log, int rpcPort) {
        this.process = process;
        this.log = log;
        this.rpcPort = rpcPort;
    }

    /** The binary named by the system property {@code chainkm.cometbft} (set by failsafe). */
    static Path binary() {
        String property = System.getProperty("chainkm.cometbft");
        if (property == null || !Files.isExecutable(Path.of(property))) {
            throw new IllegalStateException("system property chainkm.cometbft must name the CometBFT binary"
                    + " (build it with `make cometbft`), got " + property);
        }
        return Path.of(property);
    }

    /** Initializes {@code home}, configures it and starts {@code cometbft start}. */
    static CometbftTestNode start(Path binary, Path home, String proxyApp) throws IOException, InterruptedException {
        Path log = home.resolve("cometbft.log");
        run(binary, home, log, "init");
        int rpcPort = freePort();
        int p2pPort = freePort();
        TomlFile config = TomlFile.load(home.resolve("config/config.toml"));
        config.set("", "proxy_app", quoted(proxyApp));
        config.set("rpc", "laddr", quoted("tcp://127.0.0.1:" + rpcPort));
        config.set("p2p", "laddr", quoted("tcp://127.0.0.1:" + p2pPort));
        for (Map.Entry<String, String> timeout : Map.of(
                "timeout_propose", "500ms", "timeout_propose_delta", "100ms",
                "timeout_prevote", "100ms", "timeout_prevote_delta", "100ms",
                "timeout_precommit", "100ms", "timeout_precommit_delta", "100ms",
                "timeout_commit", "100ms").entrySet()) {
            config.set("consensus", timeout.getKey(), quoted(timeout.getValue()));
        }
        config.save();
        Process process = command(binary, home, log, "start").start();
        return new CometbftTestNode(process, log, rpcPort);
    }

    /** Calls an RPC endpoint ({@code path} with its query) and returns the JSON-RPC {@code result}. */
    JsonNode rpc(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rpcPort + pathAndQuery))
                .timeout(RPC_TIMEOUT)
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (body.has("error")) {
            throw new IOException("RPC " + pathAndQuery + " failed: " + body.get("error"));
        }
        return body.get("result");
    }

    /** Waits until the RPC answers /status, failing early if the process died. */
    JsonNode awaitRpc(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("cometbft exited with " + process.exitValue());
            }
            try {
                return rpc("/status");
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cometbft RPC not up after " + timeout, e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** The last {@code lines} lines of the CometBFT log, for failure reports. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the process: SIGTERM, a grace period, then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void run(Path binary, Path home, Path log, String subcommand)
            throws IOException, InterruptedException {
        Process process = command(binary, home, log, subcommand).start();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("cometbft " + subcommand + " failed, see " + log);
            }
        } finally {
            process.destroyForcibly();
        }
    }

    private static ProcessBuilder command(Path binary, Path home, Path log, String subcommand) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), subcommand, "--home", home.toString()));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
