package chainkm.testbed;

import chainkm.device.keys.DeviceKeys;
import chainkm.device.store.FileKeyStore;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyManager;
import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.Topics;
import chainkm.protocol.sets.Assignment;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device-side figures (issue 5, item 6), measured in one process on the real code: keys a
 * device stores and rekey messages it receives per operation as n grows (set layout from the
 * real Assignment, 4 gateways joining in turn; key state simulated beyond what agents can run),
 * and the time to apply one rekey message and to catch up after sleeping through 1,000
 * operations, as one batch (what the agent does) and one write per message (real key managers
 * and device key logic, file-backed store).
 */
final class DeviceBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GATEWAYS = 4;

    private DeviceBench() {}

    record Result(ObjectNode json, String markdown) {}

    static Result run(Path out) throws Exception {
        ObjectNode json = JSON.createObjectNode();
        StringBuilder md = new StringBuilder("\n## Device side\n\n");

        // keys per device against n
        ArrayNode keys = json.putArray("keys_per_device");
        StringBuilder csv = new StringBuilder("n,sets,mean_keys,max_keys,two_sqrt_n,messages_per_device_per_op\n");
        List<BenchChart.Point> meanPts = new ArrayList<>();
        List<BenchChart.Point> maxPts = new ArrayList<>();
        List<BenchChart.Point> refPts = new ArrayList<>();
        for (int n : new int[] {16, 100, 1_000, 10_000, 100_000}) {
            System.out.println("bench: key layout at n=" + n);
            SetLayout layout = new SetLayout();
            for (int i = 0; i < n; i++) {
                int g = 1 + i % GATEWAYS;
                layout.add(i + 1, Assignment.selectSet(layout, g), g);
            }
            int sets = layout.setCount();
            double sum = 0;
            int max = 0;
            for (int s : layout.setIds()) {
                int size = layout.members(s).size();
                int k = 2 + (size - 1) + (sets - 1);
                sum += (double) k * size;
                max = Math.max(max, k);
            }
            double mean = sum / n;
            double ref = 2 * Math.sqrt(n);
            keys.addObject().put("n", n).put("sets", sets).put("mean_keys", mean).put("max_keys", max)
                    .put("two_sqrt_n", ref).put("messages_per_device_per_op", 1);
            csv.append(n).append(',').append(sets).append(',').append(String.format("%.2f", mean)).append(',')
                    .append(max).append(',').append(String.format("%.2f", ref)).append(",1\n");
            md.append(String.format("| %,d | %d | %.1f / %d | %.1f | 1 |%n", n, sets, mean, max, ref));
            meanPts.add(new BenchChart.Point(n, mean));
            maxPts.add(new BenchChart.Point(n, max));
            refPts.add(new BenchChart.Point(n, ref));
        }
        Files.writeString(out.resolve("keys_per_device.csv"), csv);
        new BenchChart("Keys stored per device", "devices n", "keys").xScale(BenchChart.Scale.LOG)
                .add(new BenchChart.Series("mean keys per device", meanPts))
                .add(new BenchChart.Series("max keys per device", maxPts))
                .add(new BenchChart.Series("2 sqrt(n) (paper, Proposition 5)", refPts, true, 7))
                .write(out.resolve("keys_per_device.png"));
        md.append("\nEvery device receives exactly one rekey message per ledger operation (its set's message or "
                + "its own), by construction of the key manager (checked in KeyProtocolSimulationTest).\n");

        // apply one rekey message; catch up after 1,000 operations
        Path tmp = Files.createTempDirectory("chainkm-device-bench-");
        SecureRandom random = new SecureRandom();
        Map<Integer, byte[]> kem = new TreeMap<>();
        Map<Integer, Ed25519.KeyPair> signers = new TreeMap<>();
        Map<Integer, byte[]> anchors = new TreeMap<>();
        for (int g = 1; g <= GATEWAYS; g++) {
            Path home = Files.createDirectories(tmp.resolve("g" + g));
            kem.put(g, GatewaySecrets.generate(home));
            signers.put(g, Ed25519.KeyPair.generate(random));
            anchors.put(g, signers.get(g).publicKey());
        }
        List<KeyManager> managers = new ArrayList<>();
        for (int g = 1; g <= GATEWAYS; g++) {
            managers.add(new KeyManager(g, GatewaySecrets.load(tmp.resolve("g" + g), g, kem), signers.get(g)));
        }
        SetLayout ledger = new SetLayout();
        // the watched device joins first, through gateway 1
        List<Map<String, byte[]>> perOp = new ArrayList<>();
        int ops = 1_000;
        System.out.println("bench: " + ops + " operations through 4 key managers");
        for (int i = 0; i <= ops; i++) {
            int g = 1 + i % GATEWAYS;
            int node = i + 1;
            int set = Assignment.selectSet(ledger, g);
            ledger.add(node, set, g);
            byte[] r = new byte[16];
            random.nextBytes(r);
            RefreshEntry e = new RefreshEntry(i + 1, 0, Operation.JOIN, node, set, r, g, List.of());
            Map<String, byte[]> byTopic = new java.util.HashMap<>();
            for (KeyManager m : managers) {
                for (KeyManager.Outgoing o : m.apply(e)) {
                    byTopic.put(o.topic(), o.message());
                }
            }
            perOp.add(byTopic);
        }
        FileKeyStore store = FileKeyStore.open(tmp.resolve("device.store"), new byte[16]);
        DeviceKeys device = new DeviceKeys(store, anchors, Duration.ofSeconds(30), Clock.systemUTC());
        device.install(managers.get(0).bundle(1).orElseThrow());
        List<Double> applyMs = new ArrayList<>();
        List<byte[]> missed = new ArrayList<>();
        long oneByOneStart = System.nanoTime();
        for (int i = 1; i <= ops; i++) {
            Map<String, byte[]> msgs = perOp.get(i);
            byte[] mine = msgs.getOrDefault(Topics.node(1), msgs.get(Topics.set(device.setId())));
            missed.add(mine);
            long t0 = System.nanoTime();
            DeviceKeys.Result r = device.apply(mine);
            applyMs.add((System.nanoTime() - t0) / 1e6);
            if (r.outcome() != DeviceKeys.Outcome.APPLIED) {
                throw new IllegalStateException("bench: a rekey message was not applied: " + r.reason());
            }
        }
        double oneByOneMs = (System.nanoTime() - oneByOneStart) / 1e6;
        store.close();
        // a catch-up as the agent makes it: the same messages as one batch, one durable write
        FileKeyStore woken = FileKeyStore.open(tmp.resolve("woken.store"), new byte[16]);
        DeviceKeys sleeper = new DeviceKeys(woken, anchors, Duration.ofSeconds(30), Clock.systemUTC());
        sleeper.install(managers.get(0).bundle(1).orElseThrow());
        long catchUpStart = System.nanoTime();
        for (DeviceKeys.Result r : sleeper.applyAll(missed)) {
            if (r.outcome() != DeviceKeys.Outcome.APPLIED) {
                throw new IllegalStateException("bench: a caught-up rekey message was not applied: " + r.reason());
            }
        }
        double catchUpMs = (System.nanoTime() - catchUpStart) / 1e6;
        woken.close();
        Collections.sort(applyMs);
        double median = applyMs.get(applyMs.size() / 2);
        double p95 = applyMs.get((int) Math.ceil(applyMs.size() * 0.95) - 1);
        json.putObject("device_costs").put("apply_one_rekey_median_ms", median).put("apply_one_rekey_p95_ms", p95)
                .put("catch_up_1000_ops_ms", catchUpMs).put("apply_1000_ops_one_write_each_ms", oneByOneMs)
                .put("store", "file (AES-CCM, atomic rename, fsync)").put("ed25519", Ed25519.verifier());
        Files.writeString(out.resolve("device_costs.csv"), "figure,value_ms\napply_one_rekey_median," + median
                + "\napply_one_rekey_p95," + p95 + "\ncatch_up_1000_ops," + catchUpMs
                + "\napply_1000_ops_one_write_each," + oneByOneMs + "\n");
        md.append(String.format("%nApplying one rekey message (verify, decrypt, update, durable write): median %.2f ms, "
                + "p95 %.2f ms. Catching up after sleeping through %,d operations (applying them as one batch with "
                + "one durable write, as the agent does; excluding the network): %.0f ms; the same messages applied "
                + "one durable write each: %.0f ms. Ed25519 here is %s's; a device's JDK verifies about eight times "
                + "slower, and the signature checks are most of a catch-up.%n", median, p95, ops, catchUpMs, oneByOneMs,
                Ed25519.verifier()));
        return new Result(json, md.toString());
    }
}
