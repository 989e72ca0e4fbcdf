package chainkm.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Response time per step (issue 5, item 2; the paper's Fig. 5a/5b and equation (4)) on one
 * running testnet: {@code ops} joins one after the other, round-robin over the gateways, then
 * the same nodes leave through the gateway they joined, in one submission mode. Each answer
 * carries the gateway's own timing: T_e (build, sign, CheckTx), T_a (until the block is
 * committed) and T_k (its key manager applying the operation). Sync-mode operations wait for
 * the landing (so the next one starts on a quiet chain and T_a and T_k are known), but the
 * answer time reported for sync mode is the first answer's, after CheckTx.
 */
final class ResponseTimeBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResponseTimeBench() {}

    /** One figure point: a profile, a number of gateways, a mode, an operation. Medians and p95 in ms. */
    record Point(String profile, int gateways, String mode, String op, int ops, double answerMedian, double answerP95,
                 double clientMedian, double tk, double te, double ta, double tr, double trP95) {
        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode().put("profile", profile).put("gateways", gateways).put("mode", mode)
                    .put("op", op).put("ops", ops);
            ms(o, "answer_median_ms", answerMedian);
            ms(o, "answer_p95_ms", answerP95);
            ms(o, "client_round_trip_median_ms", clientMedian);
            ms(o, "t_k_median_ms", tk);
            ms(o, "t_e_median_ms", te);
            ms(o, "t_a_median_ms", ta);
            ms(o, "t_r_median_ms", tr);
            ms(o, "t_r_p95_ms", trP95);
            return o;
        }
    }

    /** Puts a time in ms rounded to microseconds, or null when not measured (JSON has no NaN). */
    static void ms(ObjectNode o, String name, double v) {
        if (Double.isNaN(v)) {
            o.putNull(name);
        } else {
            o.put(name, Math.round(v * 1000) / 1000.0);
        }
    }

    /** A misbehaviour: an operation refused or never landed. The benchmark fails on it. */
    static final class Misbehaviour extends Exception {
        Misbehaviour(String message) {
            super(message);
        }
    }

    /**
     * Runs joins then leaves in {@code mode}; returns the join point and the leave point.
     *
     * @param settle before each operation, wait for the block that follows the previous one (CometBFT makes a
     *               block right after every block that changed the app hash, to prove it), so that each operation
     *               meets an idle chain instead of queueing behind that block
     */
    static List<Point> run(Testnet net, String profile, int gateways, String mode, int ops, boolean settle)
            throws Exception {
        List<int[]> joined = new ArrayList<>(); // {node, gateway}
        Samples join = new Samples();
        for (int i = 0; i < ops; i++) {
            int gw = 1 + i % gateways;
            JsonNode r = submit(net, gw, JSON.createObjectNode().put("op", "join"), mode, join);
            joined.add(new int[] {r.path("node_id").asInt(), gw});
            settle(net, gw, r.path("height").asLong(), settle);
            progress(profile, gateways, mode, "join", i + 1, ops);
        }
        Samples leave = new Samples();
        for (int i = 0; i < joined.size(); i++) {
            int[] n = joined.get(i);
            JsonNode r = submit(net, n[1], JSON.createObjectNode().put("op", "leave").put("node_id", n[0]), mode, leave);
            settle(net, n[1], r.path("height").asLong(), settle);
            progress(profile, gateways, mode, "leave", i + 1, ops);
        }
        return List.of(join.point(profile, gateways, mode, "join"), leave.point(profile, gateways, mode, "leave"));
    }

    private static void settle(Testnet net, int gw, long height, boolean settle) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (settle && height > 0 && System.nanoTime() < deadline) {
            JsonNode s = net.status(gw);
            if (s != null && s.path("height").asLong() > height) {
                return;
            }
            Thread.sleep(5);
        }
    }

    private static void progress(String profile, int gateways, String mode, String op, int done, int ops) {
        if (done % 10 == 0 || done == ops) {
            System.out.printf("bench: %s, %d gateways, %s %s %d/%d%n", profile, gateways, mode, op, done, ops);
        }
    }

    private static JsonNode submit(Testnet net, int gw, ObjectNode req, String mode, Samples into) throws Exception {
        boolean sync = mode.equals("sync");
        req.put("mode", mode);
        if (sync) {
            req.put("wait", "landed");
        }
        long t0 = System.nanoTime();
        JsonNode r = net.client(gw).submit(req, Duration.ofSeconds(180));
        double client = (System.nanoTime() - t0) / 1e6;
        JsonNode fin = sync ? r.path("landed") : r;
        String want = sync ? "accepted" : "committed";
        if (!r.path("status").asText().equals(want) || !fin.path("status").asText().equals("committed")) {
            throw new Misbehaviour(req.path("op").asText() + " through gateway " + gw + " did not land: " + r);
        }
        JsonNode tf = fin.path("timing");
        into.answer.add(r.path("elapsed_ms").asDouble());
        into.client.add(client);
        add(into.tk, tf.path("t_k_ms"));
        // T_e: the whole of the sync answer's verification (its first attempt), or the committed attempt's
        add(into.te, (sync ? r : fin).path("timing").path("t_e_ms"));
        add(into.ta, tf.path("t_a_ms"));
        if (sync) {
            // the paper's sync-mode T_r leaves T_a out: T_k + T_e
            double tk = tf.path("t_k_ms").asDouble(0);
            into.tr.add(tk + r.path("timing").path("t_e_ms").asDouble());
        } else {
            add(into.tr, tf.path("t_r_ms"));
        }
        return sync ? fin : r;
    }

    private static void add(List<Double> to, JsonNode v) {
        if (v.isNumber()) {
            to.add(v.asDouble());
        }
    }

    private static final class Samples {
        final List<Double> answer = new ArrayList<>();
        final List<Double> client = new ArrayList<>();
        final List<Double> tk = new ArrayList<>();
        final List<Double> te = new ArrayList<>();
        final List<Double> ta = new ArrayList<>();
        final List<Double> tr = new ArrayList<>();

        Point point(String profile, int gateways, String mode, String op) {
            return new Point(profile, gateways, mode, op, answer.size(), median(answer), p95(answer), median(client),
                    median(tk), median(te), median(ta), median(tr), p95(tr));
        }
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double p95(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.max(0, (int) Math.ceil(s.size() * 0.95) - 1));
    }
}
