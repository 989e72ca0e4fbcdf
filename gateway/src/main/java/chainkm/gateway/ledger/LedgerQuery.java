package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseQuery;

/**
 * ABCI query paths, answered from the committed state in JSON:
 * <ul>
 *   <li>{@code /status}: height, app hash, state digest, member, set, operation and identity counts;</li>
 *   <li>{@code /membership}: every set with its owner gateway and members;</li>
 *   <li>{@code /node} (data: the node id in decimal): the member's ledger record;</li>
 *   <li>{@code /refresh} (data: {@code FROM-TO}, heights inclusive): the accepted operations
 *       with their refresh keys, in ledger order (the refresh keys are public on the ledger
 *       by design: they roll keys forward, they are not keys themselves);</li>
 *   <li>{@code /layout}: the set layout's canonical binary encoding;</li>
 *   <li>{@code /identity} (data: the device name): the device identity's name, state
 *       (enrolled, active or revoked), current public key (hex), enrolling gateway, height of
 *       its last change and node id (0 if it never joined).</li>
 *   <li>{@code /authz/token} (data: the cti in hex): the token, its policy and state;</li>
 *   <li>{@code /authz/tokens} (data: a client's public key in hex): that client's tokens; with
 *       empty data, every token in state and the revocation list;</li>
 *   <li>{@code /authz/policy} (data: a policy id in hex, or empty for all): live policies;</li>
 *   <li>{@code /authz/revoked?since=H} (or data {@code H}): the token revocation list in the
 *       manner of RFC 9770: ctis deleted at height H or later whose tokens have not reached their exp.</li>
 * </ul>
 * Token states: {@code live} below exp; a token in state at or past its exp is reported
 * {@code expired} (it leaves at the next block); a deleted one is {@code revoked}.
 */
public final class LedgerQuery {
    public static final int NOT_FOUND = 1;
    public static final int BAD_REQUEST = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    private LedgerQuery() {}

    static ResponseQuery answer(LedgerState s, RequestQuery request) {
        String data = request.getData().toString(StandardCharsets.UTF_8).trim();
        String path = request.getPath();
        int q = path.indexOf('?');
        if (q >= 0) {
            String query = path.substring(q + 1);
            path = path.substring(0, q);
            if (query.startsWith("since=")) {
                data = query.substring("since=".length());
            }
        }
        try {
            return switch (path) {
                case "/status" -> json(s, status(s));
                case "/membership" -> json(s, membership(s));
                case "/node" -> node(s, Integer.parseInt(data));
                case "/refresh" -> refresh(s, data);
                case "/layout" -> ok(s, s.layout().encode());
                case "/identity" -> identity(s, data);
                case "/authz/token" -> AuthorizationQueries.token(s, Hex.decode(data));
                case "/authz/tokens" -> data.isEmpty() ? AuthorizationQueries.allTokens(s)
                        : AuthorizationQueries.tokensOf(s, Hex.decode(data));
                case "/authz/policy" -> AuthorizationQueries.policies(s, data.isEmpty() ? null : Hex.decode(data));
                case "/authz/revoked" -> AuthorizationQueries.revoked(s, data.isEmpty() ? 0 : Long.parseLong(data));
                default -> error(s, BAD_REQUEST, "unknown query path '" + request.getPath()
                        + "' (known: /status /membership /node /refresh /layout /identity /authz/token /authz/tokens "
                        + "/authz/policy /authz/revoked)");
            };
        } catch (IllegalArgumentException e) { // NumberFormatException too: bad decimal or hex
            return error(s, BAD_REQUEST, "bad query data for " + request.getPath() + ": " + e.getMessage());
        }
    }

    private static ObjectNode status(LedgerState s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        o.put("app_hash", Hex.encode(s.appHash()).toUpperCase());
        o.put("state_digest", Hex.encode(s.stateDigest()).toUpperCase());
        o.put("members", s.members().size());
        o.put("sets", s.layout().setCount());
        o.put("operations", s.refreshEntryCount());
        o.put("identities", s.identities().size());
        ArrayNode gws = o.putArray("consortium");
        s.consortium().keys().keySet().forEach(gws::add);
        return o;
    }

    private static ObjectNode membership(LedgerState s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        o.put("members", s.members().size());
        ArrayNode sets = o.putArray("sets");
        for (int setId : s.layout().setIds()) {
            ObjectNode set = sets.addObject();
            set.put("id", setId);
            set.put("gateway", s.layout().ownerOf(setId));
            ArrayNode members = set.putArray("members");
            s.layout().members(setId).forEach(members::add);
        }
        return o;
    }

    private static ResponseQuery node(LedgerState s, int nodeId) {
        Optional<NodeRecord> r = s.member(nodeId);
        if (r.isEmpty()) {
            return error(s, NOT_FOUND, "node " + nodeId + " is not a member"
                    + (s.nodeIdUsed(nodeId) ? " (it was one)" : ""));
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("node_id", r.get().nodeId());
        o.put("set_id", r.get().setId());
        o.put("secret_code_hash", Hex.encode(r.get().secretCodeHash()));
        o.put("gateway", r.get().gatewayId());
        o.put("join_height", r.get().joinHeight());
        o.put("attached_gateway", r.get().attachedGateway());
        o.put("identity", r.get().identity());
        return json(s, o);
    }

    private static ResponseQuery identity(LedgerState s, String name) {
        Optional<DeviceIdentity> id = s.identity(name);
        if (id.isEmpty()) {
            return error(s, NOT_FOUND, "no device identity named '" + name + "'");
        }
        DeviceIdentity d = id.get();
        ObjectNode o = JSON.createObjectNode();
        o.put("name", d.name());
        o.put("state", d.state().name().toLowerCase());
        o.put("key", Hex.encode(d.key()));
        o.put("enrolled_by", d.enrolledBy());
        o.put("height", d.height());
        o.put("node", d.node());
        return json(s, o);
    }

    private static ResponseQuery refresh(LedgerState s, String range) {
        String[] parts = range.split("-", 2);
        if (parts.length != 2) {
            return error(s, BAD_REQUEST, "data for /refresh is FROM-TO, e.g. 1-100");
        }
        long from = Long.parseLong(parts[0].trim());
        long to = Long.parseLong(parts[1].trim());
        ObjectNode o = JSON.createObjectNode();
        o.put("height", s.height());
        ArrayNode entries = o.putArray("entries");
        for (RefreshEntry e : s.refreshEntries(from, to)) {
            ObjectNode x = entries.addObject();
            x.put("height", e.height());
            x.put("index", e.index());
            x.put("operation", e.operation().name().toLowerCase());
            x.put("node_id", e.nodeId());
            x.put("set_id", e.setId());
            x.put("gateway", e.gatewayId());
            x.put("refresh_key", Hex.encode(e.refreshKey()));
            ArrayNode moves = x.putArray("moves");
            e.moves().forEach(m -> moves.addObject().put("node_id", m.nodeId())
                    .put("from_set", m.fromSetId()).put("to_set", m.toSetId()));
        }
        return json(s, o);
    }

    static ResponseQuery json(LedgerState s, ObjectNode o) {
        try {
            return ok(s, JSON.writeValueAsBytes(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ResponseQuery ok(LedgerState s, byte[] value) {
        return ResponseQuery.newBuilder().setCode(0).setValue(ByteString.copyFrom(value)).setHeight(s.height()).build();
    }

    static ResponseQuery error(LedgerState s, int code, String log) {
        return ResponseQuery.newBuilder().setCode(code).setLog(log).setCodespace(TxCode.CODESPACE)
                .setHeight(s.height()).build();
    }
}
