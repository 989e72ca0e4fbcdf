package chainkm.testbed.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger's authorization state as the page shows it, from the poller's looks at
 * {@code /authz/policy} and {@code /authz/tokens} (every token in state and the revocation list):
 * the live policies, and the tokens with their state, {@code live}, {@code revoked} or
 * {@code expired}. The ledger forgets a token once its exp passes (and a revoked one's details
 * at once), so the view remembers what it saw of each token, and keeps the last
 * {@link #ENDED_KEPT} tokens that left the ledger. Logs a ledger event for each policy put or
 * removed and each token granted, revoked or expired. Public keys and ids only, never key bytes.
 */
final class AuthzView {
    static final int ENDED_KEPT = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLog events;
    /** Live policies by id, as the ledger last listed them. */
    private Map<String, JsonNode> policies = new LinkedHashMap<>();
    /** Every token the view shows, by cti, in the order first seen: its details and state. */
    private final Map<String, ObjectNode> tokens = new LinkedHashMap<>();
    private long height = -1;

    AuthzView(EventLog events) {
        this.events = events;
    }

    /** Takes one look: {@code policyList} answers {@code /authz/policy} (all), {@code tokenList} {@code /authz/tokens} (all). */
    synchronized void accept(JsonNode policyList, JsonNode tokenList) {
        long h = tokenList.path("height").asLong(-1);
        if (h < height) {
            return; // a gateway behind the last one asked: its state is older
        }
        height = h;
        acceptPolicies(policyList);
        Map<String, JsonNode> listed = new HashMap<>();
        for (JsonNode t : tokenList.path("tokens")) {
            listed.put(t.path("cti").asText(), t);
        }
        Map<String, JsonNode> revoked = new HashMap<>();
        for (JsonNode r : tokenList.path("revoked")) {
            revoked.put(r.path("cti").asText(), r);
        }
        listed.forEach((cti, t) -> {
            if (!tokens.containsKey(cti)) {
                events.add(EventLog.Source.LEDGER, "token", t.path("aud").asText(), null, null, "token " + prefix(cti)
                        + " granted to client " + prefix(t.path("client").asText()) + " for " + t.path("aud").asText()
                        + " " + scope(t.path("scope")) + ", live from height " + t.path("iat").asLong() + " to "
                        + t.path("exp").asLong());
                tokens.put(cti, details(t));
            }
            tokens.get(cti).put("state", t.path("state").asText("live"));
        });
        revoked.forEach((cti, r) -> {
            ObjectNode row = tokens.computeIfAbsent(cti, c -> JSON.createObjectNode().put("cti", c)
                    .put("exp", r.path("exp").asLong()));
            if (!"revoked".equals(row.path("state").asText())) {
                row.put("state", "revoked").put("revoked_height", r.path("revoked_height").asLong());
                events.add(EventLog.Source.LEDGER, "token_revoked", row.path("aud").asText(null), null, null,
                        "token " + prefix(cti) + " was deleted at height " + r.path("revoked_height").asLong());
            }
        });
        for (Map.Entry<String, ObjectNode> e : tokens.entrySet()) {
            ObjectNode row = e.getValue();
            if (!listed.containsKey(e.getKey()) && "live".equals(row.path("state").asText())) {
                // gone from the ledger without a deletion: its exp has passed
                row.put("state", "expired");
                events.add(EventLog.Source.LEDGER, "token_expired", row.path("aud").asText(null), null, null,
                        "token " + prefix(e.getKey()) + " expired at height " + row.path("exp").asLong());
            }
        }
        forgetOldEnded(listed, revoked);
    }

    private void acceptPolicies(JsonNode policyList) {
        Map<String, JsonNode> now = new LinkedHashMap<>();
        for (JsonNode p : policyList.path("policies")) {
            String id = p.path("id").asText();
            now.put(id, p);
            if (!policies.containsKey(id)) {
                events.add(EventLog.Source.LEDGER, "policy", p.path("device").asText(), null, null, "owner "
                        + prefix(p.path("owner").asText()) + " put policy " + prefix(id) + " for " + p.path("device").asText()
                        + " " + scope(p.path("scope")) + " (tokens of at most " + p.path("max_lifetime").asLong()
                        + " blocks, " + who(p) + ")");
            }
        }
        for (Map.Entry<String, JsonNode> old : policies.entrySet()) {
            if (!now.containsKey(old.getKey())) {
                events.add(EventLog.Source.LEDGER, "policy_removed", old.getValue().path("device").asText(), null, null,
                        "policy " + prefix(old.getKey()) + " for " + old.getValue().path("device").asText() + " was removed");
            }
        }
        policies = now;
    }

    /** Keeps the tokens the ledger still lists and the last {@link #ENDED_KEPT} of those it forgot. */
    private void forgetOldEnded(Map<String, JsonNode> listed, Map<String, JsonNode> revoked) {
        int ended = 0;
        for (String cti : tokens.keySet()) {
            ended += listed.containsKey(cti) || revoked.containsKey(cti) ? 0 : 1;
        }
        Iterator<Map.Entry<String, ObjectNode>> it = tokens.entrySet().iterator();
        while (ended > ENDED_KEPT && it.hasNext()) {
            String cti = it.next().getKey();
            if (!listed.containsKey(cti) && !revoked.containsKey(cti)) {
                it.remove();
                ended--;
            }
        }
    }

    private static ObjectNode details(JsonNode t) {
        ObjectNode o = JSON.createObjectNode();
        for (String f : new String[] {"cti", "aud", "client", "policy"}) {
            o.put(f, t.path(f).asText());
        }
        o.set("scope", t.path("scope").deepCopy());
        o.put("iat", t.path("iat").asLong());
        o.put("exp", t.path("exp").asLong());
        return o;
    }

    /** {@code {"height", "policies": [...], "tokens": [...]}}: the ledger's policies, and tokens newest first. */
    synchronized ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        if (height >= 0) {
            o.put("height", height);
        }
        ArrayNode ps = o.putArray("policies");
        policies.values().forEach(ps::add);
        ArrayNode ts = o.putArray("tokens");
        List<ObjectNode> newestFirst = new ArrayList<>(tokens.values());
        Collections.reverse(newestFirst);
        newestFirst.forEach(t -> ts.add(t.deepCopy()));
        return o;
    }

    private static String prefix(String hex) {
        return hex.length() > 8 ? hex.substring(0, 8) : hex;
    }

    private static String who(JsonNode policy) {
        return policy.has("clients") ? "allow-list of " + policy.path("clients").size() : "voucher holders";
    }

    /** {@code [["/light", 5]]} as {@code /light GET,PUT}. */
    static String scope(JsonNode scope) {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : scope) {
            b.append(b.length() > 0 ? "; " : "").append(e.path(0).asText()).append(' ').append(methods(e.path(1).asLong()));
        }
        return b.toString();
    }

    static String methods(long mask) {
        String[] names = {"GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((mask & (1L << i)) != 0) {
                b.append(b.length() > 0 ? "," : "").append(names[i]);
            }
        }
        return b.toString();
    }
}
