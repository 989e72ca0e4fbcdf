package chainkm.testbed;

import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyManager;
import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.Assignment;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cost of a renewal round (issue 12, item 3): {@code devices} synthetic devices join through
 * {@code gateways} gateways in turn, then gateway 1 renews each of its sets, one RENEW per round
 * as its scheduler does. Per round: the owner's key work (its key manager applying the RENEW:
 * fresh keys, sealing and signing every message), the work of another gateway that follows
 * (new pairwise set keys with its sets), the bytes the owner publishes on MQTT (the notice and
 * the SET messages to its other sets) and the bytes its members fetch over DTLS (one NODE message
 * each). Runs the gateway's real {@link KeyManager} in this JVM with real secrets: the same key
 * work a gateway does when the ledger commits the RENEW, without the consensus round around it.
 */
final class RenewalCostBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RenewalCostBench() {}

    record Result(ObjectNode json, String markdown) {}

    static Result run(int devices, int gateways, Path work) throws IOException {
        SecureRandom random = new SecureRandom();
        Map<Integer, byte[]> kem = new TreeMap<>();
        for (int g = 1; g <= gateways; g++) {
            kem.put(g, GatewaySecrets.generate(Files.createDirectories(work.resolve("g" + g))));
        }
        KeyManager owner = new KeyManager(1, GatewaySecrets.load(work.resolve("g1"), 1, kem), Ed25519.KeyPair.generate(random));
        KeyManager follower = new KeyManager(2, GatewaySecrets.load(work.resolve("g2"), 2, kem),
                Ed25519.KeyPair.generate(random));
        SetLayout layout = new SetLayout();
        long height = 0;
        for (int i = 0; i < devices; i++) {
            int gw = 1 + i % gateways;
            int set = Assignment.selectSet(layout, gw);
            layout.add(1000 + i, set, gw);
            RefreshEntry e = entry(++height, Operation.JOIN, 1000 + i, set, gw, random);
            owner.apply(e);
            follower.apply(e);
        }
        List<Integer> ownSets = new ArrayList<>();
        for (int s : layout.setIds()) {
            if (layout.ownerOf(s) == 1) {
                ownSets.add(s);
            }
        }
        int rounds = ownSets.size();
        double[] ownerMs = new double[rounds];
        double[] followerMs = new double[rounds];
        long[] published = new long[rounds];
        long[] publishedCount = new long[rounds];
        long[] session = new long[rounds];
        int[] members = new int[rounds];
        for (int r = 0; r < rounds; r++) {
            int set = ownSets.get(r);
            RefreshEntry e = entry(++height, Operation.RENEW, 0, set, 1, random);
            long before = owner.seq();
            long t0 = System.nanoTime();
            List<KeyManager.Outgoing> out = owner.apply(e);
            long t1 = System.nanoTime();
            follower.apply(e);
            long t2 = System.nanoTime();
            ownerMs[r] = (t1 - t0) / 1e6;
            followerMs[r] = (t2 - t1) / 1e6;
            publishedCount[r] = out.size();
            published[r] = out.stream().mapToLong(o -> o.message().length).sum();
            members[r] = layout.members(set).size();
            for (int n : layout.members(set)) {
                session[r] += owner.catchUp(n, before).stream().mapToLong(m -> m.length).sum();
            }
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("devices", devices);
        json.put("gateways", gateways);
        json.put("rounds", rounds);
        json.put("members_per_set_median", median(Arrays.stream(members).asDoubleStream().toArray()));
        json.put("owner_key_work_median_ms", median(ownerMs));
        json.put("owner_key_work_max_ms", Arrays.stream(ownerMs).max().orElse(0));
        json.put("follower_key_work_median_ms", median(followerMs));
        json.put("published_messages_median", median(Arrays.stream(publishedCount).asDoubleStream().toArray()));
        json.put("published_bytes_median", median(Arrays.stream(published).asDoubleStream().toArray()));
        json.put("dtls_bytes_median", median(Arrays.stream(session).asDoubleStream().toArray()));
        String md = String.format("%n### Renewal round at %,d devices (%d gateways)%n%n"
                        + "Gateway 1 renews each of its %d sets, one RENEW per round (median set: %.0f members). "
                        + "Median per round: owner's key work %.2f ms (max %.2f), a following gateway's %.2f ms; "
                        + "published on MQTT %.0f messages, %,.0f bytes; fetched over DTLS by the members %,.0f bytes.%n",
                devices, gateways, rounds, json.get("members_per_set_median").asDouble(),
                json.get("owner_key_work_median_ms").asDouble(), json.get("owner_key_work_max_ms").asDouble(),
                json.get("follower_key_work_median_ms").asDouble(), json.get("published_messages_median").asDouble(),
                json.get("published_bytes_median").asDouble(), json.get("dtls_bytes_median").asDouble());
        return new Result(json, md);
    }

    private static RefreshEntry entry(long height, Operation op, int node, int set, int gw, SecureRandom random) {
        byte[] r = new byte[16];
        random.nextBytes(r);
        return new RefreshEntry(height, 0, op, node, set, r, gw, List.of());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? 0 : s[s.length / 2];
    }

    /** Runs it once, small or not: {@code devices gateways}. */
    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("renewal-bench");
        Result r = run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), work);
        System.out.println(r.markdown());
        System.out.println(JSON.writeValueAsString(r.json()));
    }
}
