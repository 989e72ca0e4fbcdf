package chainkm.testbed;

import chainkm.gateway.cometbft.Profile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the gateways on real testnets on loopback (the paper's Fig. 5) and the device side, and "
                + "write OUT/<date-time>/results.json, summary.md, one CSV file per figure and PNG plots (OUT/latest "
                + "points to the newest run).",
                "For each profile (fast, paper) and number of gateways (--sweep): joins then leaves in commit and in "
                + "sync mode, with the gateways' own split of each response time into T_k, T_e and T_a (equation 4); "
                + "sync mode's first-attempt error rate under concurrent load (Fig. 5c); then, at --load-gateways on "
                + "the fast profile, sustained sync-mode load with a flight recording of gateway 1.",
                "Asserts nothing about speed. Exit code 1 if the system misbehaves: an operation refused or lost, "
                + "or gateways that disagree."})
final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--out", defaultValue = "bench/results", description = "Results folder, default ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--sweep", defaultValue = "1,4,7,10", split = ",",
            description = "Numbers of gateways, default ${DEFAULT-VALUE}.")
    List<Integer> sweep;

    @Option(names = "--ops", defaultValue = "30",
            description = "Joins (and as many leaves) per point and mode on the fast profile, default ${DEFAULT-VALUE}.")
    int ops;

    @Option(names = "--paper-ops", defaultValue = "12",
            description = "The same on the paper profile (about 1 s per commit), default ${DEFAULT-VALUE}.")
    int paperOps;

    @Option(names = "--profiles", defaultValue = "fast,paper", split = ",", description = "Profiles, default ${DEFAULT-VALUE}.")
    List<String> profiles;

    @Option(names = "--modes", defaultValue = "commit,sync", split = ",", description = "Modes, default ${DEFAULT-VALUE}.")
    List<String> modes;

    @Option(names = "--error-clients", defaultValue = "8",
            description = "Concurrent sync-mode submitters in all for the error rate (Fig. 5c), default ${DEFAULT-VALUE}.")
    int errorClients;

    @Option(names = "--error-seconds", defaultValue = "15",
            description = "Seconds of that load per point (0 to skip), default ${DEFAULT-VALUE}.")
    int errorSeconds;

    @Option(names = "--load-gateways", defaultValue = "4",
            description = "Gateways for the sustained load (fast profile), default ${DEFAULT-VALUE}.")
    int loadGateways;

    @Option(names = "--load-seconds", defaultValue = "30",
            description = "Sustained sync-mode load on the fast profile, in seconds (0 to skip), default ${DEFAULT-VALUE}.")
    int loadSeconds;

    @Option(names = "--load-clients", defaultValue = "4",
            description = "Concurrent submitters per gateway for the sustained load, default ${DEFAULT-VALUE}.")
    int loadClients;

    @Option(names = "--authz-samples", defaultValue = "20",
            description = "Token grants measured per point, submit to usable (issue 13; 0 to skip), default ${DEFAULT-VALUE}.")
    int authzSamples;

    @Option(names = "--handshake-clients", defaultValue = "1,2,4,8,16,32", split = ",",
            description = "Concurrent clients per round of key server handshakes (fast profile, --load-gateways gateways), "
                    + "default ${DEFAULT-VALUE}.")
    List<Integer> handshakeClients;

    @Option(names = "--back-to-back",
            description = "Send each measured operation as soon as the previous one answered, without waiting for the "
                    + "block CometBFT makes after it (the fast profile waits by default; paper never idles).")
    boolean backToBack;

    @Option(names = "--no-profile", description = "No flight recording of gateway 1 during the sustained load.")
    boolean noProfile;

    @Option(names = "--gateway-c1", description = "Run the gateway JVMs with the C1 compiler only "
            + "(-XX:TieredStopAtLevel=1, as the testnet did before issue 15), to compare with the default C1 + C2.")
    boolean gatewayC1;

    @Option(names = "--skip-device", description = "Leave out the device-side figures (keys per device, apply cost, "
            + "the agent's distribution size and memory).")
    boolean skipDevice;

    @Option(names = "--skip-availability", description = "Leave out rejoin, move, catch-up and failover timings.")
    boolean skipAvailability;

    @Option(names = "--image", defaultValue = "hardware/target/chainkm-device-image.tar.gz",
            description = "The device image whose agent is measured (built by `make build`), default ${DEFAULT-VALUE}.")
    Path image;

    /** Token grant latency per point, and the key server's handshakes (one point), for the summary. */
    private final List<AuthzBench.Result> grants = new ArrayList<>();
    private AuthzBench.Result handshakes;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Path run = out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")));
        Files.createDirectories(run);
        BenchReport report = new BenchReport(run);
        report.options(JSON.createObjectNode().put("sweep", sweep.toString()).put("ops_fast", ops)
                .put("ops_paper", paperOps).put("profiles", profiles.toString()).put("modes", modes.toString())
                .put("error_clients", errorClients).put("error_seconds", errorSeconds)
                .put("back_to_back", backToBack).put("gateway_jit", gatewayC1 ? "C1" : "C1+C2")
                .put("load_gateways", loadGateways).put("load_seconds", loadSeconds).put("load_clients", loadClients)
                .put("cores", Runtime.getRuntime().availableProcessors()));
        List<String> failures = new ArrayList<>();
        for (String profileName : profiles) {
            Profile profile = Profile.parse(profileName);
            for (int n : sweep) {
                try {
                    point(report, run, profile, n, failures);
                } catch (ResponseTimeBench.Misbehaviour e) {
                    failures.add(profileName + ", " + n + " gateways: " + e.getMessage());
                    System.err.println("bench: MISBEHAVIOUR: " + e.getMessage());
                }
            }
        }
        if (!grants.isEmpty()) {
            ObjectNode g = JSON.createObjectNode();
            ArrayNode points = g.putArray("points");
            StringBuilder md = new StringBuilder(AuthzBench.grantHeader());
            grants.forEach(r -> {
                points.add(r.json());
                md.append(r.markdown());
            });
            report.section("token_grants", g, md.toString());
        }
        if (handshakes != null) {
            report.section("key_server_handshakes", handshakes.json(), handshakes.markdown());
        }
        if (!skipDevice) {
            DeviceBench.Result device = DeviceBench.run(run);
            report.device(device.json(), device.markdown());
            AgentFootprint.Result agent = AgentFootprint.run(image, 20);
            report.section("agent_footprint", agent.json(), agent.markdown());
            D2DCostBench.Result d2d = D2DCostBench.run(2_000);
            report.section("d2d_costs", d2d.json(), d2d.markdown());
            Path renewWork = Files.createTempDirectory("renewal-bench");
            RenewalCostBench.Result renewal = RenewalCostBench.run(1_000, 4, renewWork);
            report.section("renewal_round", renewal.json(), renewal.markdown());
        }
        if (!skipAvailability) {
            try {
                AvailabilityBench.Result a = AvailabilityBench.run(20, 100);
                report.section("availability", a.json(), a.markdown());
            } catch (IllegalStateException e) {
                failures.add("availability: " + e.getMessage());
                System.err.println("bench: MISBEHAVIOUR: " + e.getMessage());
            }
        }
        report.finish(failures, (System.nanoTime() - started) / 1e9);
        Path latest = out.resolve("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, run.getFileName());
        System.out.println(Files.readString(run.resolve("summary.md")));
        System.out.println("bench: results in " + run);
        if (!failures.isEmpty()) {
            System.err.println("bench: FAILED: " + failures);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** One testnet of {@code n} gateways: response times, error rate, maybe the sustained load. */
    private void point(BenchReport report, Path run, Profile profile, int n, List<String> failures) throws Exception {
        String name = profile.name().toLowerCase();
        boolean load = profile == Profile.FAST && n == loadGateways && loadSeconds > 0;
        Path jfr = run.resolve("gateway-1-" + name + "-" + n + "gw.jfr");
        Path dir = Files.createTempDirectory("chainkm-bench-");
        int failuresBefore = failures.size();
        System.out.println("bench: starting a " + n + "-gateway testnet, profile " + name);
        TestnetGenerator.generate(dir, n, profile);
        List<String> jit = gatewayC1 ? List.of("-XX:TieredStopAtLevel=1") : List.of();
        try (Testnet net = Testnet.start(dir, id -> List.of(), id -> load && !noProfile && id == 1
                ? concat(jit, "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true")
                : jit)) {
            net.awaitReady(Duration.ofSeconds(Math.max(180, 30L * n)));
            int perPoint = profile == Profile.PAPER ? paperOps : ops;
            for (String mode : modes) {
                Map<String, Duration> before = HotSpots.cpu(net);
                long t0 = System.nanoTime();
                List<ResponseTimeBench.Point> pts = ResponseTimeBench.run(net, name, n, mode, perPoint,
                        profile == Profile.FAST && !backToBack);
                ObjectNode cpu = HotSpots.cpuShare(before, HotSpots.cpu(net), (System.nanoTime() - t0) / 1e9);
                pts.forEach(p -> report.responseTime(p, cpu));
            }
            expectAgreement(net, n, 0, failures, name);
            int members = 0;
            if (errorSeconds > 0) {
                Map<String, Duration> before = HotSpots.cpu(net);
                ErrorRateBench.Point p = ErrorRateBench.run(net, name, n, errorClients, errorSeconds);
                report.errorRate(p, HotSpots.cpuShare(before, HotSpots.cpu(net), p.seconds()));
                if (p.lost() > 0) {
                    failures.add(name + ", " + n + " gateways: " + p.lost() + " sync-mode operations lost or refused");
                }
                members += p.operations();
                expectAgreement(net, n, members, failures, name);
            }
            if (authzSamples > 0) {
                try {
                    grants.add(AuthzBench.grantLatency(net, name, n, authzSamples));
                    members += 1;
                    if (profile == Profile.FAST && n == loadGateways && !handshakeClients.isEmpty()) {
                        handshakes = AuthzBench.handshakes(net, handshakeClients.stream().mapToInt(Integer::intValue).toArray());
                        members += 1;
                    }
                } catch (IllegalStateException e) {
                    failures.add(name + ", " + n + " gateways, authorization: " + e.getMessage());
                    System.err.println("bench: MISBEHAVIOUR: " + e.getMessage());
                }
                expectAgreement(net, n, members, failures, name);
            }
            if (load) {
                Map<String, Duration> before = HotSpots.cpu(net);
                Instant from = Instant.now();
                ThroughputBench.Result r = ThroughputBench.run(net, n, loadSeconds, loadClients);
                Instant to = Instant.now();
                report.load(r.json(), r.markdown(), HotSpots.cpuShare(before, HotSpots.cpu(net),
                        Duration.between(from, to).toMillis() / 1e3));
                if (r.json().path("lost").asLong() > 0) {
                    failures.add(name + ", " + n + " gateways: " + r.json().path("lost").asLong()
                            + " operations lost under sustained load");
                }
                expectAgreement(net, n, -1, failures, name);
                net.close(); // the recording is written when gateway 1 exits
                if (!noProfile && Files.exists(jfr)) {
                    report.hotSpots(HotSpots.samples(jfr, from, to, 15), jfr.getFileName().toString());
                }
            }
        } finally {
            if (failures.size() > failuresBefore) {
                System.err.println("bench: keeping the testnet of the failed point for inspection: " + dir);
            } else {
                deleteTree(dir);
            }
        }
    }

    /**
     * Every gateway at the same height has the same app hash, and (when {@code members} is not -1) that many
     * members: anything else is a misbehaviour.
     */
    private static void expectAgreement(Testnet net, int n, int members, List<String> failures, String profile)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String why = "";
        while (System.nanoTime() < deadline) {
            why = disagreement(net, n, members);
            if (why == null) {
                return;
            }
            Thread.sleep(300);
        }
        failures.add(profile + ", " + n + " gateways: " + why);
        System.err.println("bench: MISBEHAVIOUR: " + why);
    }

    private static String disagreement(Testnet net, int n, int members) {
        String hash = null;
        long height = -1;
        for (int g = 1; g <= n; g++) {
            JsonNode s = net.status(g);
            if (s == null) {
                return "gateway " + g + " does not answer";
            }
            if (members >= 0 && s.path("members").asInt() != members) {
                return "gateway " + g + " has " + s.path("members").asInt() + " members, expected " + members;
            }
            if (height == -1) {
                height = s.path("height").asLong();
                hash = s.path("app_hash").asText();
            } else if (s.path("height").asLong() != height) {
                return "gateways at different heights";
            } else if (!s.path("app_hash").asText().equals(hash)) {
                return "gateway " + g + " has another app hash at height " + height;
            }
        }
        return null;
    }

    private static List<String> concat(List<String> options, String more) {
        List<String> all = new ArrayList<>(options);
        all.add(more);
        return all;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e);
        }
    }
}
