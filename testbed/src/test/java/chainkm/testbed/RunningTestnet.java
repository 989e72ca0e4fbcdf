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
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A real testnet for integration tests: real gateway JVMs, real CometBFT validators on
 * loopback, on ephemeral ports. Helpers wait for events instead of sleeping, and
 * {@link #close()} stops every process even when the test failed (printing log tails then).
 */
final class RunningTestnet implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a submission through the control API may take, landing included. */
    static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(120);
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
        return startGenerated(dir);
    }

    /** Starts the testnet generated in {@code dir} beforehand (for tests that edit its configuration first). */
    static RunningTestnet startGenerated(Path dir) throws Exception {
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
        return submit(gateway, op, mode, nodeId, waitLanded, SUBMIT_TIMEOUT);
    }

    JsonNode submit(int gateway, String op, String mode, Integer nodeId, boolean waitLanded, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode().put("op", op).put("mode", mode);
        if (nodeId != null) {
            req.put("node_id", nodeId);
        }
        if (waitLanded) {
            req.put("wait", "landed");
        }
        return net.client(gateway).submit(req, timeout);
    }

    /** A join of a new node through {@code gateway}: {@code net.join(1).commit()}. */
    Submission join(int gateway) {
        return new Submission(this, gateway, "join", null);
    }

    /** The departure of {@code node}, submitted by {@code gateway} (its owner): {@code net.leave(2, node).commit()}. */
    Submission leave(int gateway, int node) {
        return new Submission(this, gateway, "leave", node);
    }

    /** The eviction of {@code node} by {@code gateway} (any gateway may evict). */
    Submission evict(int gateway, int node) {
        return new Submission(this, gateway, "evict", node);
    }

    /** Everything gateway {@code gateway} has logged so far (its {@code gateway.log}). */
    String log(int gateway) {
        try {
            return java.nio.file.Files.readString(dir.resolve("gateway-" + gateway).resolve("gateway.log"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The number of key operations on the ledger, as gateway 1 has committed it. */
    long operations() {
        return query(1, "/status", "").path("operations").asLong();
    }

    /** Waits until gateway 1 has committed exactly {@code count} key operations. */
    void awaitOperations(long count, Duration timeout) throws InterruptedException {
        await("gateway 1 to commit " + count + " key operations", timeout, this::operations, ops -> ops == count);
    }

    /** Node {@code id} as the ledger has it, at gateway 1. */
    LedgerNode node(int id) {
        return node(id, 1);
    }

    /** Node {@code id} as the ledger has it, at {@code gateway}. */
    LedgerNode node(int id, int gateway) {
        return new LedgerNode(query(gateway, "/node", Integer.toString(id)));
    }

    /** Waits until the ledger (at gateway 1) has node {@code id} attached to {@code gateway}: its REJOIN is committed. */
    void awaitAttachedOnLedger(int id, int gateway, Duration timeout) throws InterruptedException {
        await("the ledger to attach node " + id + " to gateway " + gateway, timeout,
                () -> node(id).attachedGateway(), attached -> attached == gateway);
    }

    /** Waits until the ledger (at gateway 1) lists every one of {@code ids} as a member. */
    void awaitMembers(Collection<Integer> ids, Duration timeout) throws InterruptedException {
        await("the ledger to list " + (ids.size() <= 10 ? "nodes " + ids : ids.size() + " nodes") + " as members", timeout, () -> {
            Set<Integer> missing = new TreeSet<>(ids);
            missing.removeAll(members(1));
            return missing.isEmpty() ? "" : "not listed: " + missing;
        }, String::isEmpty);
    }

    /** The committed height at {@code gateway}; fails if the gateway does not answer. */
    long height(int gateway) {
        JsonNode s = net.status(gateway);
        if (s == null) {
            throw new AssertionError("gateway " + gateway + " does not answer /status");
        }
        return s.path("height").asLong();
    }

    /** Waits until gateway 1 has committed height {@code height} or higher (and fails at once if it stops answering). */
    void awaitHeight(long height, Duration timeout) throws InterruptedException {
        await("gateway 1 to commit height " + height, timeout, () -> height(1), h -> h >= height);
    }

    /** How many key operations {@code gateway}'s key manager has applied, or -1 while it does not answer. */
    long keySeq(int gateway) {
        JsonNode s = net.status(gateway);
        return s == null ? -1 : s.path("key_seq").asLong();
    }

    /** Waits until the key manager of every given gateway has applied exactly {@code seq} key operations. */
    void awaitKeySeq(List<Integer> gateways, long seq, Duration timeout) throws InterruptedException {
        await("the key managers of gateways " + gateways + " to apply " + seq + " key operations", timeout, () -> {
            StringBuilder behind = new StringBuilder();
            for (int g : gateways) {
                long s = keySeq(g);
                if (s != seq) {
                    behind.append(" gateway ").append(g).append(" at ").append(s < 0 ? "(down)" : Long.toString(s));
                }
            }
            return behind.toString();
        }, String::isEmpty);
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

    /** Waits until every gateway of the testnet reports the same committed height and app hash. */
    String awaitSameAppHash(Duration timeout) throws InterruptedException {
        return awaitSameAppHash(ids(), timeout);
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
    static void await(String what, Duration timeout, BooleanSupplier predicate) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (predicate.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    /**
     * Waits until what {@code observe} sees satisfies {@code done}, polling; returns it. A timeout
     * fails naming what was awaited and what was seen last.
     */
    static <T> T await(String what, Duration timeout, Supplier<T> observe, Predicate<? super T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T seen = null;
        while (System.nanoTime() < deadline) {
            seen = observe.get();
            if (done.test(seen)) {
                return seen;
            }
            Thread.sleep(100);
        }
        return fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last seen: " + seen);
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
