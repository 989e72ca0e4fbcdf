package chainkm.testbed;

import chainkm.gateway.cometbft.Profile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure join response times on a real testnet on loopback, and the device side (keys per "
                + "device against n, cost of applying rekey messages), and write OUT/<date-time>/results.json, "
                + "summary.md, CSV files and PNG plots (OUT/latest points to the newest run).",
                "For each profile (paper, fast) and mode (commit, sync): median and 95th percentile of the time "
                + "from submission to the gateway's answer (sync: after CheckTx). Fails only if an operation is lost."})
final class BenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--out", defaultValue = "bench/results", description = "Results folder, default ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--gateways", defaultValue = "4", description = "Gateways, default ${DEFAULT-VALUE}.")
    int gateways;

    @Option(names = "--ops", defaultValue = "40", description = "Joins per profile and mode, default ${DEFAULT-VALUE}.")
    int ops;

    @Option(names = "--profiles", defaultValue = "fast,paper", split = ",", description = "Profiles, default ${DEFAULT-VALUE}.")
    List<String> profiles;

    @Option(names = "--skip-device", description = "Leave out the device-side figures.")
    boolean skipDevice;

    @Option(names = "--load-seconds", defaultValue = "30",
            description = "Sustained sync-mode load on the fast profile, in seconds (0 to skip), default ${DEFAULT-VALUE}.")
    int loadSeconds;

    @Override
    public Integer call() throws Exception {
        Path run = out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")));
        Files.createDirectories(run);
        ObjectNode results = JSON.createObjectNode();
        results.put("gateways", gateways).put("ops_per_point", ops).put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode points = results.putArray("points");
        List<ThroughputBench.Result> loads = new ArrayList<>();
        boolean failed = false;
        StringBuilder md = new StringBuilder("# chainkm bench\n\nJoin response time on " + gateways
                + " gateways on loopback, " + ops + " sequential joins per point, "
                + Runtime.getRuntime().availableProcessors() + " cores.\n\n| profile | mode | median ms | p95 ms |\n|---|---|---|---|\n");
        for (String profileName : profiles) {
            Profile profile = Profile.parse(profileName);
            Path dir = Files.createTempDirectory("chainkm-bench-");
            System.out.println("bench: starting a " + gateways + "-gateway testnet, profile " + profileName);
            TestnetGenerator.generate(dir, gateways, profile);
            try (Testnet net = Testnet.start(dir)) {
                net.awaitReady(Duration.ofSeconds(180));
                for (String mode : List.of("commit", "sync")) {
                    List<Double> ms = new ArrayList<>();
                    for (int i = 0; i < ops; i++) {
                        int gw = 1 + i % gateways;
                        ObjectNode req = JSON.createObjectNode().put("op", "join").put("mode", mode);
                        long t0 = System.nanoTime();
                        JsonNode r = net.client(gw).submit(req, Duration.ofSeconds(120));
                        ms.add((System.nanoTime() - t0) / 1e6);
                        String status = r.path("status").asText();
                        if (!status.equals(mode.equals("commit") ? "committed" : "accepted")) {
                            System.err.println("bench: operation not accepted: " + r);
                            return 1;
                        }
                        if ((i + 1) % 10 == 0) {
                            System.out.printf("bench: %s/%s %d/%d%n", profileName, mode, i + 1, ops);
                        }
                    }
                    Collections.sort(ms);
                    double median = ms.get(ms.size() / 2);
                    double p95 = ms.get((int) Math.ceil(ms.size() * 0.95) - 1);
                    points.addObject().put("profile", profileName).put("mode", mode).put("median_ms", median)
                            .put("p95_ms", p95);
                    md.append(String.format("| %s | %s | %.1f | %.1f |%n", profileName, mode, median, p95));
                }
                if (profile == Profile.FAST && loadSeconds > 0) {
                    loads.add(ThroughputBench.run(net, gateways, loadSeconds, 4));
                }
            }
        }
        for (ThroughputBench.Result load : loads) {
            results.set("sustained_load", load.json());
            md.append(load.markdown());
            if (load.json().path("lost").asLong() > 0) {
                failed = true;
            }
        }
        if (!skipDevice) {
            DeviceBench.Result device = DeviceBench.run(run);
            results.set("device", device.json());
            md.append(device.markdown());
        }
        JSON.writeValue(run.resolve("results.json").toFile(), results);
        Files.writeString(run.resolve("summary.md"), md.toString());
        Path latest = out.resolve("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, run.getFileName());
        System.out.println(md);
        System.out.println("bench: results in " + run);
        return failed ? 1 : 0;
    }
}
