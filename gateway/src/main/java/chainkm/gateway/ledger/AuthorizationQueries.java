package chainkm.gateway.ledger;

import static chainkm.gateway.ledger.LedgerQuery.JSON;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tendermint.abci.Types.ResponseQuery;

/** The {@code /authz/...} ledger queries ({@link LedgerQuery}), in JSON; public keys and ids in hex, no secret anywhere. */
final class AuthorizationQueries {
    private AuthorizationQueries() {}

    static ResponseQuery token(LedgerState s, byte[] cti) {
        Optional<TokenEntry> t = s.token(cti);
        if (t.isPresent()) {
            return LedgerQuery.json(s, tokenJson(s, t.get()));
        }
        Optional<AuthorizationRegistry.Revocation> r = s.revocation(cti);
        if (r.isPresent()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("cti", Hex.encode(cti));
            o.put("state", "revoked");
            o.put("revoked_height", r.get().height());
            o.put("exp", r.get().exp());
            return LedgerQuery.json(s, o);
        }
        return LedgerQuery.error(s, LedgerQuery.NOT_FOUND, "no token with cti " + Hex.encode(cti)
                + (s.ctiUsed(cti) ? " (it expired)" : ""));
    }

    static ResponseQuery tokensOf(LedgerState s, byte[] client) {
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        o.put("client", Hex.encode(client));
        ArrayNode a = o.putArray("tokens");
        s.tokensOf(client).forEach(t -> a.add(tokenJson(s, t)));
        return LedgerQuery.json(s, o);
    }

    /**
     * Every token in state, in cti order, and the revocation list (as {@code /authz/revoked} since
     * 0): what a dashboard or an auditor shows, without knowing the clients' keys.
     */
    static ResponseQuery allTokens(LedgerState s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        ArrayNode a = o.putArray("tokens");
        s.tokens().values().forEach(t -> a.add(tokenJson(s, t)));
        o.set("revoked", revocationsSince(s, 0));
        return LedgerQuery.json(s, o);
    }

    static ResponseQuery policies(LedgerState s, byte[] id) {
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        if (id != null) {
            Optional<Policy> p = s.policy(id);
            if (p.isEmpty()) {
                return LedgerQuery.error(s, LedgerQuery.NOT_FOUND, "no live policy " + Hex.encode(id)
                        + (s.policyIdUsed(id) ? " (it was removed)" : ""));
            }
            return LedgerQuery.json(s, policyJson(p.get()));
        }
        ArrayNode a = o.putArray("policies");
        s.policies().values().forEach(p -> a.add(policyJson(p)));
        return LedgerQuery.json(s, o);
    }

    /** RFC 9770 style: the revocation list entries deleted at {@code since} or later, by height then cti. */
    static ResponseQuery revoked(LedgerState s, long since) {
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        o.put("since", since);
        o.set("revoked", revocationsSince(s, since));
        return LedgerQuery.json(s, o);
    }

    private static ArrayNode revocationsSince(LedgerState s, long since) {
        List<Map.Entry<byte[], AuthorizationRegistry.Revocation>> entries = new ArrayList<>();
        s.revocations().entrySet().stream().filter(e -> e.getValue().height() >= since).forEach(entries::add);
        entries.sort(Comparator.comparingLong((Map.Entry<byte[], AuthorizationRegistry.Revocation> e) ->
                e.getValue().height()));
        ArrayNode a = JSON.createArrayNode();
        for (var e : entries) {
            a.addObject().put("cti", Hex.encode(e.getKey())).put("revoked_height", e.getValue().height())
                    .put("exp", e.getValue().exp());
        }
        return a;
    }

    private static ObjectNode tokenJson(LedgerState s, TokenEntry e) {
        AccessToken t = e.token();
        ObjectNode o = JSON.createObjectNode();
        o.put("cti", Hex.encode(t.cti()));
        o.put("state", t.liveAt(s.height()) ? "live" : "expired");
        o.put("aud", t.audience());
        o.set("scope", scopeJson(t.scope()));
        o.put("iat", t.iat());
        o.put("exp", t.exp());
        o.put("client", Hex.encode(t.clientKey()));
        o.put("policy", Hex.encode(e.policyId()));
        o.put("token", Hex.encode(t.encode()));
        return o;
    }

    private static ObjectNode policyJson(Policy p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", Hex.encode(p.id()));
        o.put("owner", Hex.encode(p.owner()));
        o.put("device", p.device());
        o.set("scope", scopeJson(p.scope()));
        o.put("max_lifetime", p.maxLifetime());
        if (p.voucherMode()) {
            o.put("who", "voucher");
        } else {
            ArrayNode a = o.putArray("clients");
            p.clients().forEach(k -> a.add(Hex.encode(k)));
        }
        return o;
    }

    private static ArrayNode scopeJson(Aif scope) {
        ArrayNode a = JSON.createArrayNode();
        scope.entries().forEach(e -> a.addArray().add(e.path()).add(e.methods()));
        return a;
    }
}
