package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.fail;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.cometbft.Profile;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A real testnet for integration tests: real gateway JVMs, real CometBFT validators on
 * loopback, on ephemeral ports. Helpers wait for events instead of sleeping, and
 * {@link #close()} stops every process even when the test failed (printing log tails then).
 */
final class RunningTestnet implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final Testnet net;
    final Path dir;

    private RunningTestnet(Testnet net, Path dir) {
        this.net = net;
        this.dir = dir;
    }

    static RunningTestnet start(Path dir, int gateways) throws Exception {
        return start(dir, gateways, generated -> { });
    }

    /** What a test changes in the generated testnet (e.g. a gateway.toml) before any gateway starts. */
    interface Preparation {
        void prepare(Path generated) throws IOException;
    }

    static RunningTestnet start(Path dir, int gateways, Preparation preparation) throws Exception {
        TestnetGenerator.generate(dir, gateways, Profile.FAST);
        preparation.prepare(dir);
        Testnet net = Testnet.start(dir);
        RunningTestnet t = new RunningTestnet(net, dir);
        try {
            net.awaitReady(Duration.ofSeconds(120));
        } catch (RuntimeException | InterruptedException e) {
            t.printLogTails();
            t.close();
            throw e;
        }
        return t;
    }

    List<Integer> ids() {
        return net.layout().gateways().stream().map(TestnetLayout.Gateway::id).toList();
    }

    CometRpc rpc(int gateway) {
        return new CometRpc(net.layout().gateway(gateway).rpcPort());
    }

    /** Submits through the gateway's control API; {@code wait=landed} in sync mode waits for the final result. */
    JsonNode submit(int gateway, String op, String mode, Integer nodeId, boolean waitLanded) throws Exception {
        ObjectNode req = JSON.createObjectNode().put("op", op).put("mode", mode);
        if (nodeId != null) {
            req.put("node_id", nodeId);
        }
        if (waitLanded) {
            req.put("wait", "landed");
        }
        return net.client(gateway).submit(req, Duration.ofSeconds(120));
    }

    /** The number of key operations on the ledger, as gateway 1 has committed it. */
    long operations() {
        return query(1, "/status", "").path("operations").asLong();
    }

    JsonNode query(int gateway, String path, String data) {
        CometRpc.QueryResult r = rpc(gateway).abciQuery(path, data.getBytes(StandardCharsets.UTF_8));
        if (r.code() != 0) {
            throw new AssertionError("query " + path + " refused: " + r.log());
        }
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    SetLayout layout(int gateway) {
        return SetLayout.decode(rpc(gateway).abciQuery("/layout", new byte[0]).value());
    }

    /** Node ids of every member, as gateway {@code gateway} sees them; fails on a node listed twice. */
    Set<Integer> members(int gateway) {
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode set : query(gateway, "/membership", "").path("sets")) {
            for (JsonNode m : set.path("members")) {
                if (!ids.add(m.asInt())) {
                    throw new AssertionError("node " + m.asInt() + " is listed twice");
                }
            }
        }
        return ids;
    }

    /** Waits until every given gateway reports the same committed height and app hash. */
    String awaitSameAppHash(List<Integer> gateways, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Set<String> seen = new TreeSet<>();
            StringBuilder sb = new StringBuilder();
            for (int g : gateways) {
                JsonNode s = net.status(g);
                String v = s == null ? "down" : s.path("height").asLong() + "/" + s.path("app_hash").asText();
                seen.add(v);
                sb.append(" gateway ").append(g).append('=').append(v);
            }
            if (seen.size() == 1 && !seen.contains("down")) {
                return seen.iterator().next();
            }
            last = sb.toString();
            Thread.sleep(100);
        }
        printLogTails();
        return fail("gateways never agreed on height and app hash:" + last);
    }

    /** Waits until {@code predicate} holds, polling. */
    static void await(String what, Duration timeout, java.util.function.BooleanSupplier predicate)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (predicate.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    void printLogTails() {
        try (Stream<Path> logs = Files.walk(dir, 2)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                System.err.println("----- last lines of " + log);
                lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(System.err::println);
            }
        } catch (IOException e) {
            System.err.println("cannot read logs: " + e);
        }
    }

    @Override
    public void close() {
        net.close();
    }
}
