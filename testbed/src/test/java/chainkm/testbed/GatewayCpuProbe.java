package chainkm.testbed;

import chainkm.gateway.cometbft.Profile;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A by-hand measurement for comparing gateway settings before and after a change (issue 15), not
 * a test and not part of {@code make bench}: starts a testnet, then reports the CPU its gateway
 * JVMs and CometBFT validators used to get ready, while idle, and per commit-mode operation, and
 * optionally under sustained sync-mode load.
 *
 * <pre>
 * java -Dchainkm.cometbft=build/bin/cometbft -cp TESTBED_TEST_CLASSPATH chainkm.testbed.GatewayCpuProbe \
 *     PROFILE GATEWAYS WARM_UP_SECONDS IDLE_SECONDS OPS LOAD_SECONDS [GATEWAY_JVM_OPTION ...]
 * </pre>
 * The idle window comes first, on a fresh chain; then WARM_UP_SECONDS of sustained load, so that
 * the JIT compilers have done their work before operations are measured. {@code -Dprobe.config=section.key=value,...} overrides settings of
 * every validator's config.toml after generation (e.g. {@code p2p.flush_throttle_timeout="1ms"}),
 * to compare CometBFT settings on one build. {@code -Dprobe.rounds=R} runs R rounds of OPS
 * commit-mode joins then leaves after the idle window and reports each round's CPU per operation,
 * the JIT compiler threads' share apart, until the compilers have settled.
 */
public final class GatewayCpuProbe {
    private GatewayCpuProbe() {}

    public static void main(String[] args) throws Exception {
        Profile profile = Profile.parse(args[0]);
        int gateways = Integer.parseInt(args[1]);
        int warmUpSeconds = Integer.parseInt(args[2]);
        int idleSeconds = Integer.parseInt(args[3]);
        int ops = Integer.parseInt(args[4]);
        int loadSeconds = Integer.parseInt(args[5]);
        List<String> jvm = List.of(args).subList(6, args.length);
        System.out.println("probe: " + profile + ", " + gateways + " gateways, gateway JVM options " + jvm);
        Path dir = Files.createTempDirectory("chainkm-probe-");
        TestnetGenerator.generate(dir, gateways, profile);
        String overrides = System.getProperty("probe.config", "");
        if (!overrides.isBlank()) {
            for (int g = 1; g <= gateways; g++) {
                override(dir.resolve("gateway-" + g).resolve("cometbft/config/config.toml"), overrides);
            }
            System.out.println("probe: config.toml overrides " + overrides);
        }
        long t0 = System.nanoTime();
        try (Testnet net = Testnet.start(dir, id -> List.of(), id -> jvm)) {
            net.awaitReady(Duration.ofSeconds(180));
            double ready = (System.nanoTime() - t0) / 1e9;
            Map<String, Duration> atReady = HotSpots.cpu(net);
            System.out.printf("probe: JIT compiler threads of the gateway JVMs so far: %.2f CPU-s%n", jitSeconds(net));
            report("start-up (" + String.format("%.1f", ready) + " s to ready), CPU seconds in all",
                    HotSpots.cpuShare(zero(atReady), atReady, 1));
            Thread.sleep(10_000); // let start-up work (first blocks, connections) die down
            Map<String, Duration> before = HotSpots.cpu(net);
            Thread.sleep(idleSeconds * 1000L);
            report("idle " + idleSeconds + " s, cores busy", HotSpots.cpuShare(before, HotSpots.cpu(net), idleSeconds));
            for (int round = 1; round <= Integer.getInteger("probe.rounds", 0); round++) {
                // rounds of joins then leaves: the ledger ends each round as it began, so rounds compare like with like
                Map<String, Duration> r0 = HotSpots.cpu(net);
                double jit0 = jitSeconds(net);
                int n = Math.max(ops, 1);
                List<ResponseTimeBench.Point> points = ResponseTimeBench.run(net, "round", gateways, "commit", n, true);
                ObjectNode used = HotSpots.cpuShare(r0, HotSpots.cpu(net), 2.0 * n * 1e-3);
                System.out.printf("probe: round %d, CPU ms per commit-mode operation: gateway JVMs %.1f (JIT compiler "
                                + "threads %.1f), CometBFT %.1f; join median %.1f ms, leave median %.1f ms%n", round,
                        used.path("gateway_jvms_cores").asDouble(), (jitSeconds(net) - jit0) * 1000 / (2.0 * n),
                        used.path("cometbft_cores").asDouble(), points.get(0).answerMedian(), points.get(1).answerMedian());
            }
            if (warmUpSeconds > 0) {
                Map<String, Duration> w = HotSpots.cpu(net);
                long w0 = System.nanoTime();
                ThroughputBench.run(net, gateways, warmUpSeconds, 4);
                report("warm-up load, cores busy", HotSpots.cpuShare(w, HotSpots.cpu(net), (System.nanoTime() - w0) / 1e9));
            }
            if (ops > 0) {
                ResponseTimeBench.run(net, "warm-up", gateways, "commit", ops, true);
                before = HotSpots.cpu(net);
                double jit0 = jitSeconds(net);
                List<ResponseTimeBench.Point> points = ResponseTimeBench.run(net, "probe", gateways, "commit", ops, true);
                ObjectNode used = HotSpots.cpuShare(before, HotSpots.cpu(net), 2.0 * ops * 1e-3);
                report("commit mode, CPU ms per operation (" + 2 * ops + " joins and leaves)", used);
                System.out.printf("probe: of which JIT compiler threads: %.1f ms per operation%n",
                        (jitSeconds(net) - jit0) * 1000 / (2.0 * ops));
                for (ResponseTimeBench.Point p : points) {
                    System.out.printf("probe: commit %s: answer median %.1f ms, p95 %.1f ms%n", p.op(), p.answerMedian(),
                            p.answerP95());
                }
            }
            if (loadSeconds > 0) {
                before = HotSpots.cpu(net);
                long l0 = System.nanoTime();
                ThroughputBench.Result r = ThroughputBench.run(net, gateways, loadSeconds, 4);
                report("sustained load, cores busy", HotSpots.cpuShare(before, HotSpots.cpu(net), (System.nanoTime() - l0) / 1e9));
                System.out.println("probe: " + r.json());
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("probe: could not delete " + dir);
            }
        }
    }

    /** Replaces {@code key = ...} in {@code [section]} for each {@code section.key=value}; the key must be there. */
    private static void override(Path toml, String overrides) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(toml));
        for (String o : overrides.split(",")) {
            String name = o.substring(0, o.indexOf('='));
            String value = o.substring(o.indexOf('=') + 1);
            String section = name.substring(0, name.lastIndexOf('.'));
            String key = name.substring(name.lastIndexOf('.') + 1);
            String current = "";
            boolean done = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.startsWith("[")) {
                    current = line.substring(1, line.indexOf(']'));
                } else if (current.equals(section) && line.matches(java.util.regex.Pattern.quote(key) + "\\s*=.*")) {
                    lines.set(i, key + " = " + value);
                    done = true;
                }
            }
            if (!done) {
                throw new IllegalArgumentException(toml + ": no " + key + " in [" + section + "]");
            }
        }
        Files.write(toml, lines);
    }

    private static Map<String, Duration> zero(Map<String, Duration> like) {
        Map<String, Duration> z = new java.util.TreeMap<>();
        like.keySet().forEach(k -> z.put(k, Duration.ZERO));
        return z;
    }

    private static void report(String what, ObjectNode share) {
        System.out.printf("probe: %s: gateway JVMs %.3f, CometBFT %.3f, this JVM %.3f%n", what,
                share.path("gateway_jvms_cores").asDouble(), share.path("cometbft_cores").asDouble(),
                share.path("bench_client_cores").asDouble());
    }

    /**
     * CPU seconds so far of the gateway JVMs' JIT compiler threads (named "C1 CompilerThre..." and
     * "C2 CompilerThre..." in /proc/PID/task/TID/comm), to tell compiling from running.
     */
    static double jitSeconds(Testnet net) {
        double ticks = 0;
        for (chainkm.cli.TestnetLayout.Gateway g : net.layout().gateways()) {
            java.util.Optional<ProcessHandle> p = net.process(g.id());
            if (p.isEmpty()) {
                continue;
            }
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.get().pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).matches("C[12] Compiler.*\\s*")) {
                            String stat = Files.readString(task.resolve("stat"));
                            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException gone) {
                // the process ended meanwhile
            }
        }
        return ticks / 100.0; // USER_HZ
    }
}
