package chainkm.testbed;

import chainkm.cli.TestnetLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes under load: CPU time of every process (gateway JVMs, their CometBFT
 * validators, the benchmark's own client JVM) over a window, and the execution samples of one
 * gateway's Java Flight Recording in that window, grouped by top frame, by the first chainkm
 * frame on the stack, and by thread.
 */
final class HotSpots {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HotSpots() {}

    /** CPU time so far of each gateway JVM, of each CometBFT, and of this JVM. */
    static Map<String, Duration> cpu(Testnet net) {
        Map<String, Duration> out = new java.util.TreeMap<>();
        for (TestnetLayout.Gateway g : net.layout().gateways()) {
            net.process(g.id()).ifPresent(p -> {
                out.put("gateway-" + g.id() + " JVM", cpuOf(p));
                Duration comet = Duration.ZERO;
                for (ProcessHandle d : p.descendants().toList()) {
                    comet = comet.plus(cpuOf(d));
                }
                out.put("gateway-" + g.id() + " CometBFT", comet);
            });
        }
        out.put("bench client JVM", cpuOf(ProcessHandle.current()));
        return out;
    }

    private static Duration cpuOf(ProcessHandle p) {
        return p.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** CPU used between two {@link #cpu} snapshots, as cores busy over {@code seconds}, by component kind. */
    static ObjectNode cpuShare(Map<String, Duration> before, Map<String, Duration> after, double seconds) {
        ObjectNode o = JSON.createObjectNode();
        double java = 0;
        double comet = 0;
        double client = 0;
        for (Map.Entry<String, Duration> e : after.entrySet()) {
            double used = (e.getValue().toNanos() - before.getOrDefault(e.getKey(), Duration.ZERO).toNanos()) / 1e9;
            if (e.getKey().endsWith("CometBFT")) {
                comet += used;
            } else if (e.getKey().startsWith("gateway")) {
                java += used;
            } else {
                client += used;
            }
        }
        o.put("seconds", seconds);
        o.put("gateway_jvms_cores", java / seconds);
        o.put("cometbft_cores", comet / seconds);
        o.put("bench_client_cores", client / seconds);
        o.put("total_cores", (java + comet + client) / seconds);
        o.put("machine_cores", Runtime.getRuntime().availableProcessors());
        return o;
    }

    /** Execution samples of {@code recording} between {@code from} and {@code to}. */
    static ObjectNode samples(Path recording, Instant from, Instant to, int top) throws IOException {
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> chainkmFrames = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int total = 0;
        try (RecordingFile f = new RecordingFile(recording)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")
                        || e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                total++;
                List<RecordedFrame> frames = st.getFrames();
                topFrames.merge(name(frames.get(0)), 1, Integer::sum);
                String ours = "(no chainkm frame)";
                for (RecordedFrame fr : frames) {
                    if (fr.getMethod() != null && fr.getMethod().getType().getName().startsWith("chainkm.")) {
                        ours = name(fr);
                        break;
                    }
                }
                chainkmFrames.merge(ours, 1, Integer::sum);
                RecordedThread t = e.getThread("sampledThread");
                String tn = t == null || t.getJavaName() == null ? "?" : t.getJavaName().replaceAll("[-#]?\\d+$", "");
                threads.merge(tn, 1, Integer::sum);
            }
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("samples", total);
        o.set("top_frames", ranked(topFrames, total, top));
        o.set("first_chainkm_frames", ranked(chainkmFrames, total, top));
        o.set("threads", ranked(threads, total, top));
        return o;
    }

    private static String name(RecordedFrame f) {
        if (f.getMethod() == null) {
            return "?";
        }
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + "  (" + type + ")";
    }

    private static ArrayNode ranked(Map<String, Integer> counts, int total, int top) {
        List<Map.Entry<String, Integer>> l = new ArrayList<>(counts.entrySet());
        l.sort((a, b) -> b.getValue() - a.getValue());
        ArrayNode a = JSON.createArrayNode();
        for (Map.Entry<String, Integer> e : l.subList(0, Math.min(top, l.size()))) {
            a.addObject().put("name", e.getKey()).put("samples", e.getValue())
                    .put("percent", total == 0 ? 0 : 100.0 * e.getValue() / total);
        }
        return a;
    }
}
