package chainkm.cli;

import chainkm.protocol.keys.KeyId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From an inventory (which link keys every device and gateway holds), the fraction of all
 * device-to-device links that one captured device or one captured gateway can decrypt, next to
 * the paper's bounds: Proposition 1, 2(n+1)/((sqrt(n)+1)n) for a device, and Proposition 3,
 * (2np-n-p)/((n-1)p^2) for one of p gateways. A link between x and y is protected by their
 * pairwise node key if they share a set, else by their sets' pairwise set key.
 */
public final class Resilience {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Resilience() {}

    public static double proposition1(int n) {
        return 2.0 * (n + 1) / ((Math.sqrt(n) + 1) * n);
    }

    public static double proposition3(int n, int p) {
        return (2.0 * n * p - n - p) / ((n - 1.0) * p * p);
    }

    /** @param inventory the JSON {@code bin/chainkm inventory} prints */
    public static ObjectNode analyze(JsonNode inventory) {
        Map<Integer, Integer> setOf = new HashMap<>();
        Map<Integer, Set<String>> deviceKeys = new HashMap<>();
        Map<Integer, Set<String>> gatewayKeys = new HashMap<>();
        for (JsonNode g : inventory.path("gateways")) {
            Set<String> keys = new HashSet<>();
            g.path("keys").forEach(k -> keys.add(k.asText()));
            gatewayKeys.put(g.path("gateway").asInt(), keys);
            for (JsonNode d : g.path("devices")) {
                setOf.put(d.path("node").asInt(), d.path("set").asInt());
                Set<String> dk = new HashSet<>();
                d.path("keys").forEach(k -> dk.add(k.asText()));
                deviceKeys.put(d.path("node").asInt(), dk);
            }
        }
        List<Integer> nodes = new ArrayList<>(setOf.keySet());
        nodes.sort(null);
        int n = nodes.size();
        int p = gatewayKeys.size();
        List<String> linkKeys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int x = nodes.get(i);
                int y = nodes.get(j);
                int sx = setOf.get(x);
                int sy = setOf.get(y);
                linkKeys.add((sx == sy ? KeyId.pairwiseNodeKey(x, y) : KeyId.pairwiseSetKey(sx, sy)).toString());
            }
        }
        long links = linkKeys.size();
        ObjectNode out = JSON.createObjectNode();
        out.put("devices", n).put("gateways", p).put("links", links);
        out.set("device_capture", worst(deviceKeys, linkKeys, proposition1(n), "proposition_1"));
        out.set("gateway_capture", worst(gatewayKeys, linkKeys, proposition3(n, p), "proposition_3"));
        return out;
    }

    private static ObjectNode worst(Map<Integer, Set<String>> holders, List<String> linkKeys, double bound, String name) {
        double max = 0;
        double sum = 0;
        int worstHolder = -1;
        for (Map.Entry<Integer, Set<String>> h : holders.entrySet()) {
            long exposed = linkKeys.stream().filter(h.getValue()::contains).count();
            double f = linkKeys.isEmpty() ? 0 : (double) exposed / linkKeys.size();
            sum += f;
            if (f > max) {
                max = f;
                worstHolder = h.getKey();
            }
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("max_fraction", max);
        o.put("mean_fraction", holders.isEmpty() ? 0 : sum / holders.size());
        o.put("worst", worstHolder);
        o.put(name, bound);
        o.put("within_bound", max <= bound + 1e-9);
        return o;
    }
}
