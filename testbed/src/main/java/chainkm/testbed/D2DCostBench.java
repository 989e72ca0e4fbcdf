package chainkm.testbed;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.KeyId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The device-side cost of one D2D message (issue 12, item 1), sealing and opening it as the agent
 * does: under a pairwise node key (AES-CCM only) and under a pairwise set key (AES-CCM, and the
 * sender's Ed25519 signature made and checked). Measured in a child JVM whose class path leaves
 * out Bouncy Castle, with the device's JVM options, so that Ed25519 is the JDK's (SunEC), as on a
 * device; the child says which implementation it used, and the bench refuses any other.
 * Not measured here: the replay marks' durable write, one fsync'd rename per
 * {@code ReplayWindows.K} messages of a sender.
 */
final class D2DCostBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAYLOAD = 64;

    private D2DCostBench() {}

    record Result(ObjectNode json, String markdown) {}

    /** Runs the probe in a child JVM without Bouncy Castle: {@code messages} of each kind after a warm-up. */
    static Result run(int messages) throws IOException, InterruptedException {
        String withoutBc = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("bouncycastle") && !e.contains("bcprov") && !e.contains("bcpkix")
                        && !e.contains("bcutil"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(ChainkmJvm.command("32m", List.of(), D2DCostBench.class,
                List.of(Integer.toString(messages))));
        int cp = cmd.indexOf("-cp");
        cmd.set(cp + 1, withoutBc);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("bench: the D2D cost probe failed: " + out);
        }
        String last = out.substring(out.lastIndexOf('\n') + 1);
        ObjectNode json = (ObjectNode) JSON.readTree(last);
        if (!"JDK".equals(json.path("ed25519").asText())) {
            throw new IllegalStateException("bench: the D2D probe did not use the JDK's Ed25519: " + last);
        }
        JsonNode node = json.path("pairwise_node_key");
        JsonNode set = json.path("pairwise_set_key");
        String md = String.format("%n### D2D message cost on the device (JDK Ed25519, no Bouncy Castle)%n%n"
                + "Seal and open of one %d-byte message, as the agent does them, median / p95 over %,d messages:%n%n"
                + "| key | seal | open | seal + open | bytes on the wire |%n|---|---|---|---|---|%n"
                + "| pairwise node key (AES-CCM tag only) | %.3f / %.3f ms | %.3f / %.3f ms | %.3f / %.3f ms | %d |%n"
                + "| pairwise set key (tag + Ed25519 signature) | %.3f / %.3f ms | %.3f / %.3f ms | %.3f / %.3f ms | %d |%n",
                PAYLOAD, messages,
                node.path("seal_median_ms").asDouble(), node.path("seal_p95_ms").asDouble(),
                node.path("open_median_ms").asDouble(), node.path("open_p95_ms").asDouble(),
                node.path("total_median_ms").asDouble(), node.path("total_p95_ms").asDouble(), node.path("bytes").asInt(),
                set.path("seal_median_ms").asDouble(), set.path("seal_p95_ms").asDouble(),
                set.path("open_median_ms").asDouble(), set.path("open_p95_ms").asDouble(),
                set.path("total_median_ms").asDouble(), set.path("total_p95_ms").asDouble(), set.path("bytes").asInt());
        return new Result(json, md);
    }

    /** The probe, in the child JVM: prints one JSON line. */
    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[16];
        random.nextBytes(key);
        byte[] payload = new byte[PAYLOAD];
        random.nextBytes(payload);
        Ed25519.KeyPair sender = Ed25519.KeyPair.generate(random);
        byte[] senderKey = sender.publicKey();
        ObjectNode out = JSON.createObjectNode();
        out.put("ed25519", Ed25519.verifier());
        out.put("messages", messages);
        out.set("pairwise_node_key", measure(KeyId.pairwiseNodeKey(10, 20), key, payload, sender, senderKey, messages));
        out.set("pairwise_set_key", measure(KeyId.pairwiseSetKey(3, 8), key, payload, sender, senderKey, messages));
        System.out.println(JSON.writeValueAsString(out));
    }

    private static ObjectNode measure(KeyId id, byte[] key, byte[] payload, Ed25519.KeyPair sender, byte[] senderKey,
                                      int messages) throws Exception {
        int warmUp = Math.max(50, messages / 5);
        double[] seal = new double[messages];
        double[] open = new double[messages];
        int bytes = 0;
        for (int i = -warmUp; i < messages; i++) {
            long counter = i + warmUp;
            long t0 = System.nanoTime();
            byte[] wire = D2DMessage.seal(10, 20, id, 1, counter, key, payload, sender).encode();
            long t1 = System.nanoTime();
            D2DMessage m = D2DMessage.decode(wire, wire.length);
            if (m.isSigned() && !m.signatureValid(senderKey)) {
                throw new IllegalStateException("signature did not verify");
            }
            byte[] back = m.open(key);
            long t2 = System.nanoTime();
            if (back.length != payload.length) {
                throw new IllegalStateException("payload changed");
            }
            if (i >= 0) {
                seal[i] = (t1 - t0) / 1e6;
                open[i] = (t2 - t1) / 1e6;
                bytes = wire.length;
            }
        }
        double[] total = new double[messages];
        for (int i = 0; i < messages; i++) {
            total[i] = seal[i] + open[i];
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("bytes", bytes);
        put(r, "seal", seal);
        put(r, "open", open);
        put(r, "total", total);
        return r;
    }

    private static void put(ObjectNode r, String name, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        r.put(name + "_median_ms", sorted[sorted.length / 2]);
        r.put(name + "_p95_ms", sorted[(int) Math.ceil(sorted.length * 0.95) - 1]);
    }
}
