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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the bench's figures and writes results.json, one CSV per figure, the PNG plots and
 * summary.md (each figure next to what the paper reports).
 */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The targets (2 cores, 4 gateways, fast profile). */
    private static final double TARGET_COMMIT_MS = 50;
    private static final double TARGET_SYNC_MS = 5;
    private static final double TARGET_JOINS_PER_S = 500;

    private final Path run;
    private final ObjectNode results = JSON.createObjectNode();
    private final List<ResponseTimeBench.Point> points = new ArrayList<>();
    private final List<ErrorRateBench.Point> errorPoints = new ArrayList<>();
    private final ArrayNode responseJson = results.putArray("response_times");
    private final ArrayNode errorJson = results.putArray("sync_error_rate");
    private String loadMarkdown = "";
    private String deviceMarkdown = "";

    BenchReport(Path run) {
        this.run = run;
    }

    void options(ObjectNode options) {
        results.set("options", options);
        results.put("load_average_start", loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    void responseTime(ResponseTimeBench.Point p, ObjectNode cpu) {
        points.add(p);
        responseJson.add(p.json().set("cpu", cpu));
    }

    void errorRate(ErrorRateBench.Point p, ObjectNode cpu) {
        errorPoints.add(p);
        errorJson.add(p.json().set("cpu", cpu));
    }

    void load(ObjectNode json, String markdown, ObjectNode cpu) {
        results.set("sustained_load", json.set("cpu", cpu));
        loadMarkdown = markdown + String.format(Locale.ROOT, "%nCPU during the load: gateway JVMs %.2f cores, CometBFT "
                        + "%.2f cores, the bench's clients %.2f cores, of %d.%n",
                cpu.path("gateway_jvms_cores").asDouble(), cpu.path("cometbft_cores").asDouble(),
                cpu.path("bench_client_cores").asDouble(), cpu.path("machine_cores").asInt());
    }

    void hotSpots(ObjectNode samples, String recording) {
        results.set("hot_spots", samples.put("recording", recording));
    }

    void device(ObjectNode json, String markdown) {
        results.set("device", json);
        deviceMarkdown = markdown + deviceMarkdown;
    }

    /** Another section of results.json and summary.md, after the device side (footprint, availability). */
    void section(String key, ObjectNode json, String markdown) {
        results.set(key, json);
        deviceMarkdown = deviceMarkdown + markdown;
    }

    void finish(List<String> failures, double seconds) throws IOException {
        results.put("duration_s", seconds);
        ArrayNode f = results.putArray("failures");
        failures.forEach(f::add);
        writeCsvs();
        writePlots();
        JSON.writeValue(run.resolve("results.json").toFile(), results);
        Files.writeString(run.resolve("summary.md"), markdown(failures, seconds));
    }

    // --- CSV ---------------------------------------------------------------------------------

    private void writeCsvs() throws IOException {
        StringBuilder steps = new StringBuilder("profile,gateways,mode,op,ops,t_k_median_ms,t_e_median_ms,"
                + "t_a_median_ms,t_r_median_ms,t_r_p95_ms\n");
        StringBuilder resp = new StringBuilder("profile,gateways,mode,op,ops,answer_median_ms,answer_p95_ms,"
                + "client_round_trip_median_ms\n");
        for (ResponseTimeBench.Point p : points) {
            steps.append(String.join(",", p.profile(), "" + p.gateways(), p.mode(), p.op(), "" + p.ops(), num(p.tk()),
                    num(p.te()), num(p.ta()), num(p.tr()), num(p.trP95()))).append('\n');
            resp.append(String.join(",", p.profile(), "" + p.gateways(), p.mode(), p.op(), "" + p.ops(),
                    num(p.answerMedian()), num(p.answerP95()), num(p.clientMedian()))).append('\n');
        }
        Files.writeString(run.resolve("fig5a_steps.csv"), steps);
        Files.writeString(run.resolve("fig5b_response_time.csv"), resp);
        StringBuilder ratio = new StringBuilder("gateways,mode,op,fast_answer_median_ms,paper_answer_median_ms,"
                + "paper_over_fast\n");
        for (ResponseTimeBench.Point p : points) {
            if (p.profile().equals("fast")) {
                find("paper", p.gateways(), p.mode(), p.op()).ifPresent(q -> ratio.append(String.join(",",
                        "" + p.gateways(), p.mode(), p.op(), num(p.answerMedian()), num(q.answerMedian()),
                        num(q.answerMedian() / p.answerMedian()))).append('\n'));
            }
        }
        Files.writeString(run.resolve("ratio_paper_over_fast.csv"), ratio);
        StringBuilder err = new StringBuilder("profile,gateways,concurrent_submitters,seconds,operations,"
                + "first_attempt_errors,first_attempt_error_rate,lost,answer_median_ms,committed_per_second\n");
        for (ErrorRateBench.Point p : errorPoints) {
            err.append(String.join(",", p.profile(), "" + p.gateways(), "" + p.clients(), num(p.seconds()),
                    "" + p.operations(), "" + p.firstAttemptErrors(), num(p.errorRate()), "" + p.lost(),
                    num(p.answerMedian()), num(p.committedPerSecond()))).append('\n');
        }
        Files.writeString(run.resolve("fig5c_sync_error_rate.csv"), err);
        JsonNode load = results.path("sustained_load");
        if (!load.isMissingNode()) {
            Files.writeString(run.resolve("sustained_load.csv"), "gateways,clients_per_gateway,seconds,accepted,"
                    + "committed_per_second,answer_median_ms,answer_p95_ms,first_attempt_error_rate,lost\n"
                    + String.join(",", load.path("gateways").asText(), load.path("clients_per_gateway").asText(),
                    num(load.path("seconds").asDouble()), load.path("accepted").asText(),
                    num(load.path("committed_per_second").asDouble()), num(load.path("answer_median_ms").asDouble()),
                    num(load.path("answer_p95_ms").asDouble()), num(load.path("first_attempt_error_rate").asDouble()),
                    load.path("lost").asText()) + "\n");
        }
        JsonNode hot = results.path("hot_spots");
        if (!hot.isMissingNode()) {
            StringBuilder h = new StringBuilder("kind,name,samples,percent\n");
            for (String kind : List.of("top_frames", "first_chainkm_frames", "threads")) {
                for (JsonNode e : hot.path(kind)) {
                    h.append(kind).append(",\"").append(e.path("name").asText()).append("\",")
                            .append(e.path("samples").asInt()).append(',').append(num(e.path("percent").asDouble()))
                            .append('\n');
                }
            }
            Files.writeString(run.resolve("hot_spots.csv"), h);
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    private Optional<ResponseTimeBench.Point> find(String profile, int gateways, String mode, String op) {
        return points.stream().filter(p -> p.profile().equals(profile) && p.gateways() == gateways
                && p.mode().equals(mode) && p.op().equals(op)).findFirst();
    }

    // --- plots -------------------------------------------------------------------------------

    /** Colours by mode and operation, the same on every figure. */
    private static int color(String mode, String op) {
        return (mode.equals("commit") ? 0 : 2) + (op.equals("join") ? 0 : 1);
    }

    private void writePlots() throws IOException {
        if (points.isEmpty()) {
            return;
        }
        BenchChart both = new BenchChart("Join response time, fast and paper profiles (median, band to p95)",
                "gateways", "ms");
        for (String profile : List.of("fast", "paper")) {
            List<ResponseTimeBench.Point> mine = points.stream().filter(p -> p.profile().equals(profile)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            BenchChart answers = new BenchChart("Response time (median, band to p95), profile " + profile, "gateways",
                    "ms");
            BenchChart steps = new BenchChart("T_k, T_e, T_a and T_r (median; T_r band to p95), commit mode, profile "
                    + profile, "gateways", "ms");
            for (String mode : List.of("commit", "sync")) {
                for (String op : List.of("join", "leave")) {
                    List<ResponseTimeBench.Point> line = mine.stream()
                            .filter(p -> p.mode().equals(mode) && p.op().equals(op)).toList();
                    List<BenchChart.Point> answer = line.stream()
                            .map(p -> new BenchChart.Point(p.gateways(), p.answerMedian(), p.answerP95())).toList();
                    answers.add(new BenchChart.Series(mode + " " + op, answer, false, color(mode, op)));
                    if (op.equals("join")) {
                        both.add(new BenchChart.Series(profile + ", " + mode + " join", answer, profile.equals("paper"),
                                color(mode, op)));
                    }
                    if (mode.equals("commit")) {
                        boolean dashed = op.equals("leave");
                        steps.add(new BenchChart.Series("T_k " + op, line.stream()
                                .map(p -> new BenchChart.Point(p.gateways(), p.tk())).toList(), dashed, 2));
                        steps.add(new BenchChart.Series("T_e " + op, line.stream()
                                .map(p -> new BenchChart.Point(p.gateways(), p.te())).toList(), dashed, 0));
                        steps.add(new BenchChart.Series("T_a " + op, line.stream()
                                .map(p -> new BenchChart.Point(p.gateways(), p.ta())).toList(), dashed, 1));
                        steps.add(new BenchChart.Series("T_r " + op, line.stream()
                                .map(p -> new BenchChart.Point(p.gateways(), p.tr(), p.trP95())).toList(), dashed, 4));
                    }
                }
            }
            answers.write(run.resolve("fig5b_response_time_" + profile + ".png"));
            steps.write(run.resolve("fig5a_steps_" + profile + ".png"));
        }
        both.write(run.resolve("fig5b_response_time.png"));
        if (!errorPoints.isEmpty()) {
            BenchChart err = new BenchChart("Sync mode: first-attempt error rate (" + errorPoints.get(0).clients()
                    + " concurrent submitters)", "gateways", "%").yScale(BenchChart.Scale.LINEAR);
            for (String profile : List.of("fast", "paper")) {
                err.add(new BenchChart.Series("profile " + profile, errorPoints.stream()
                        .filter(p -> p.profile().equals(profile))
                        .map(p -> new BenchChart.Point(p.gateways(), 100 * p.errorRate())).toList(),
                        profile.equals("paper"), profile.equals("paper") ? 1 : 0));
            }
            err.write(run.resolve("fig5c_sync_error_rate.png"));
        }
    }

    // --- summary.md --------------------------------------------------------------------------

    private String markdown(List<String> failures, double seconds) {
        StringBuilder md = new StringBuilder("# chainkm bench\n\n");
        JsonNode o = results.path("options");
        md.append(String.format(Locale.ROOT, "Real testnets on loopback (one gateway JVM and one CometBFT validator per "
                        + "gateway), %d cores, gateways %s, %d joins and as many leaves per point and mode on the fast "
                        + "profile, %d on the paper profile (about a second per commit: fewer there to keep `make bench` "
                        + "under 30 minutes). Run time %.1f min. %s%n%n",
                o.path("cores").asInt(), o.path("sweep").asText(), o.path("ops_fast").asInt(),
                o.path("ops_paper").asInt(), seconds / 60,
                failures.isEmpty() ? "**No misbehaviour** (every operation landed once, gateways agree)."
                        : "**MISBEHAVIOUR:** " + String.join("; ", failures)));
        md.append("Machine load average (1 min) at the start: ").append(results.path("load_average_start").asText("?"))
                .append(", at the end: ").append(loadAverage()).append(" (anything else running on the machine, "
                        + "e.g. other test suites, distorts the timings).\n\n");
        targets(md);
        md.append(BenchNotes.PAPER);
        fig5a(md);
        fig5b(md);
        fig5c(md);
        if (!loadMarkdown.isEmpty()) {
            md.append(loadMarkdown);
        }
        whereTheTimeGoes(md);
        md.append(deviceMarkdown);
        return md.toString();
    }

    private void targets(StringBuilder md) {
        md.append("## Targets (2 cores, 4 gateways, fast profile)\n\n| target | measured | verdict |\n|---|---|---|\n");
        Optional<ResponseTimeBench.Point> commit = find("fast", 4, "commit", "join");
        Optional<ResponseTimeBench.Point> sync = find("fast", 4, "sync", "join");
        commit.ifPresent(p -> md.append(target("join, commit mode, median ≤ 50 ms", p.answerMedian(), TARGET_COMMIT_MS,
                "ms", true)));
        sync.ifPresent(p -> md.append(target("join, sync mode, median ≤ 5 ms", p.answerMedian(), TARGET_SYNC_MS, "ms",
                true)));
        JsonNode load = results.path("sustained_load");
        if (!load.isMissingNode()) {
            md.append(target("≥ 500 committed joins/s sustained", load.path("committed_per_second").asDouble(),
                    TARGET_JOINS_PER_S, "joins/s", false));
        }
        JsonNode agent = results.path("agent_footprint");
        if (!agent.isMissingNode()) {
            md.append(target("device agent distribution ≤ 6 MB", agent.path("distribution_bytes").asDouble() / 1e6, 6,
                    "MB", true));
            md.append(target("device agent resident memory ≤ 96 MB under -Xmx32m",
                    agent.path("rss_high_water_kb").asDouble() / 1024, 96, "MB", true));
        }
        md.append("\n").append(BenchNotes.LIMITS).append("\n");
    }

    private static String target(String what, double measured, double target, String unit, boolean lowerIsBetter) {
        boolean met = lowerIsBetter ? measured <= target : measured >= target;
        String verdict = met ? "met" : String.format(Locale.ROOT, "missed by %.1f %s (%.1f×)", Math.abs(measured - target),
                unit, lowerIsBetter ? measured / target : target / measured);
        return String.format(Locale.ROOT, "| %s | %.1f %s | %s |%n", what, measured, unit, verdict);
    }

    private void fig5a(StringBuilder md) {
        md.append("\n## Fig. 5a: response time per step, T_r = T_k + T_e + T_a (medians, ms)\n\n")
                .append(BenchNotes.STEPS)
                .append("\n| profile | gateways | mode | op | T_k | T_e | T_a | T_r | T_r p95 | CPU busy (of ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores) |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < points.size(); i++) {
            ResponseTimeBench.Point p = points.get(i);
            double cpu = responseJson.get(i).path("cpu").path("total_cores").asDouble();
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %.2f |%n", p.profile(),
                    p.gateways(), p.mode(), p.op(), f(p.tk()), f(p.te()), f(p.ta()), f(p.tr()), f(p.trP95()), cpu));
        }
        md.append("\nWhole-machine CPU while the commit-mode operations ran, by number of gateways (cores busy of ")
                .append(Runtime.getRuntime().availableProcessors()).append("; the testnet's idle cost grows with every "
                        + "validator):");
        for (int i = 0; i < points.size(); i++) {
            ResponseTimeBench.Point p = points.get(i);
            if (p.mode().equals("commit") && p.op().equals("join")) {
                md.append(String.format(Locale.ROOT, " %s/%d: %.2f;", p.profile(), p.gateways(),
                        responseJson.get(i).path("cpu").path("total_cores").asDouble()));
            }
        }
        md.append(" the bench's own load generator is included. Where this nears the core count the machine, not "
                + "the protocol, sets the response time.\n");
        md.append("\nPlots: `fig5a_steps_fast.png`, `fig5a_steps_paper.png`; data: `fig5a_steps.csv`.\n");
    }

    private void fig5b(StringBuilder md) {
        md.append("\n## Fig. 5b: total response time, commit against sync mode (gateway's answer, ms)\n\n")
                .append("| gateways | mode | op | fast median | fast p95 | paper median | paper p95 | paper / fast |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (ResponseTimeBench.Point p : points) {
            if (!p.profile().equals("fast")) {
                continue;
            }
            Optional<ResponseTimeBench.Point> q = find("paper", p.gateways(), p.mode(), p.op());
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s |%n", p.gateways(), p.mode(),
                    p.op(), f(p.answerMedian()), f(p.answerP95()), q.map(x -> f(x.answerMedian())).orElse("–"),
                    q.map(x -> f(x.answerP95())).orElse("–"),
                    q.map(x -> String.format(Locale.ROOT, "%.1f×", x.answerMedian() / p.answerMedian())).orElse("–")));
        }
        md.append("\nThe commit-mode answer is the time from the request reaching the gateway to its answer after "
                + "the commit (T_e + T_a; T_k follows on the key manager's thread); the sync-mode answer is after "
                + "CheckTx and the journal's fsync. Plots: `fig5b_response_time.png` (joins, both profiles on one "
                + "figure), `fig5b_response_time_fast.png`, `fig5b_response_time_paper.png`; data: `fig5b_response_time.csv`, `ratio_paper_over_fast.csv`.\n");
    }

    private void fig5c(StringBuilder md) {
        if (errorPoints.isEmpty()) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%n## Fig. 5c: sync mode's first-attempt error rate%n%nLoad: %d concurrent "
                        + "submitters in all, spread round-robin over the gateways (the same offered concurrency at every "
                        + "size), each sending sync-mode joins one after the other and waiting for each to land, for "
                        + "%d s per point. An error is an operation whose first accepted transaction is not the one "
                        + "stored (the gateway had to rebuild it). Lost = accepted but never stored (must be 0).%n%n"
                        + "| profile | gateways | operations | first-attempt errors | error rate | lost | answer median ms "
                        + "| landed/s | CPU busy |%n|---|---|---|---|---|---|---|---|---|%n",
                errorPoints.get(0).clients(), results.path("options").path("error_seconds").asInt()));
        for (int i = 0; i < errorPoints.size(); i++) {
            ErrorRateBench.Point p = errorPoints.get(i);
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f%% | %d | %s | %.1f | %.2f |%n", p.profile(),
                    p.gateways(), p.operations(), p.firstAttemptErrors(), 100 * p.errorRate(), p.lost(),
                    f(p.answerMedian()), p.committedPerSecond(), errorJson.get(i).path("cpu").path("total_cores").asDouble()));
        }
        md.append("\n").append(BenchNotes.ERRORS).append("\nPlot: `fig5c_sync_error_rate.png`; data: "
                + "`fig5c_sync_error_rate.csv`.\n");
    }

    private void whereTheTimeGoes(StringBuilder md) {
        md.append("\n## Where the time goes\n\n");
        JsonNode hot = results.path("hot_spots");
        if (!hot.isMissingNode()) {
            md.append(String.format(Locale.ROOT, "Java Flight Recorder on gateway 1 during the sustained load (`%s`, "
                    + "%d execution samples; `jfr print --events jdk.ExecutionSample` reads it). By thread:%n%n",
                    hot.path("recording").asText(), hot.path("samples").asInt()));
            JsonNode t0 = hot.path("threads").path(0);
            JsonNode m0 = hot.path("first_chainkm_frames").path(0);
            md.append(String.format(Locale.ROOT, "In short: thread `%s` had %.0f%% of the samples; the chainkm method "
                            + "most often on the stack was `%s` (%.0f%%).%n%n", t0.path("name").asText(),
                    t0.path("percent").asDouble(), m0.path("name").asText().split(" ")[0], m0.path("percent").asDouble()));
            table(md, hot.path("threads"), "thread");
            md.append("\nBy the first chainkm method on the stack (what our code was doing, including the library "
                    + "code it called):\n\n");
            table(md, hot.path("first_chainkm_frames"), "method");
            md.append("\nBy top frame (where the CPU actually was):\n\n");
            table(md, hot.path("top_frames"), "method");
        }
        md.append("\n").append(BenchNotes.HOT_SPOTS).append("\n### CometBFT timeouts per profile\n\n")
                .append("| setting | paper | fast |\n|---|---|---|\n");
        row(md, "timeout_propose (+ delta per round)", Profile.PAPER.timeoutPropose().toMillis() + " (+"
                + Profile.PAPER.timeoutProposeDelta().toMillis() + ") ms", Profile.FAST.timeoutPropose().toMillis() + " (+"
                + Profile.FAST.timeoutProposeDelta().toMillis() + ") ms");
        row(md, "timeout_prevote (+ delta)", Profile.PAPER.timeoutPrevote().toMillis() + " (+"
                + Profile.PAPER.timeoutPrevoteDelta().toMillis() + ") ms", Profile.FAST.timeoutPrevote().toMillis() + " (+"
                + Profile.FAST.timeoutPrevoteDelta().toMillis() + ") ms");
        row(md, "timeout_precommit (+ delta)", Profile.PAPER.timeoutPrecommit().toMillis() + " (+"
                + Profile.PAPER.timeoutPrecommitDelta().toMillis() + ") ms", Profile.FAST.timeoutPrecommit().toMillis()
                + " (+" + Profile.FAST.timeoutPrecommitDelta().toMillis() + ") ms");
        row(md, "timeout_commit", Profile.PAPER.timeoutCommit().toMillis() + " ms",
                Profile.FAST.timeoutCommit().toMillis() + " ms");
        row(md, "create_empty_blocks (interval)", Profile.PAPER.createEmptyBlocks() + " ("
                + Profile.PAPER.createEmptyBlocksInterval().toMillis() + " ms)", Profile.FAST.createEmptyBlocks() + " ("
                + Profile.FAST.createEmptyBlocksInterval().toMillis() + " ms)");
        row(md, "peer_gossip_sleep_duration", Profile.PAPER.peerGossipSleepDuration().toMillis() + " ms",
                Profile.FAST.peerGossipSleepDuration().toMillis() + " ms");
        row(md, "p2p flush_throttle_timeout", Profile.PAPER.flushThrottleTimeout().toMillis() + " ms",
                Profile.FAST.flushThrottleTimeout().toMillis() + " ms");
        md.append("\n").append(BenchNotes.TIMEOUTS).append("\n");
    }

    private static void row(StringBuilder md, String name, String paper, String fast) {
        md.append("| ").append(name).append(" | ").append(paper).append(" | ").append(fast).append(" |\n");
    }

    private static void table(StringBuilder md, JsonNode rows, String what) {
        md.append("| ").append(what).append(" | samples | % |\n|---|---|---|\n");
        for (JsonNode e : rows) {
            md.append(String.format(Locale.ROOT, "| `%s` | %d | %.1f |%n", e.path("name").asText().replace("|", "\\|"),
                    e.path("samples").asInt(), e.path("percent").asDouble()));
        }
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }
}
