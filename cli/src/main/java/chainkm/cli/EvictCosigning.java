package chainkm.cli;

import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * An evict through a gateway that does not own the node's set (its owner is dead or suspect)
 * needs more than two thirds of the consortium: in a testnet directory, which holds every
 * gateway's key, the other gateways still in the consortium co-sign it over a fresh nonce, as
 * {@code remove-gateway} does. The control API request then carries {@code cosignatures} and
 * {@code nonce}.
 */
public final class EvictCosigning {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvictCosigning() {}

    /**
     * Adds the co-signatures to {@code request} (a control API evict of {@code node} through
     * {@code gateway}) when {@code gateway} does not own the node's set, as its ledger says.
     *
     * @param setId the set the evict names (null: the member's)
     * @return what was done, for the operator, or null when nothing was needed (the owner, or no member)
     */
    public static String addUnlessOwner(Path dir, TestnetLayout layout, int gateway, int node, Integer setId,
                                        ObjectNode request) throws IOException {
        CometRpc rpc = new CometRpc(layout.gateway(gateway).rpcPort(), Duration.ofSeconds(10));
        JsonNode member = query(rpc, "/node", Integer.toString(node));
        if (member == null) {
            return null; // not a member: the ledger says so (NOT_A_MEMBER)
        }
        int set = setId != null ? setId : member.path("set_id").asInt();
        int owner = -1;
        for (JsonNode s : query(rpc, "/membership", "").path("sets")) {
            if (s.path("id").asInt() == set) {
                owner = s.path("gateway").asInt();
            }
        }
        if (owner == gateway) {
            return null;
        }
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        ArrayNode cosigs = request.putArray("cosignatures");
        int signers = 1;
        for (JsonNode id : query(rpc, "/status", "").path("consortium")) {
            int cosigner = id.asInt();
            if (cosigner != gateway) {
                Cosignatures.Cosignature c = Eviction.cosign(cosigner, GatewayKey.load(
                        GatewayHome.at(dir.resolve(layout.gateway(cosigner).home())).gatewayKey()), node, nonce);
                cosigs.addObject().put("gateway", cosigner).put("signature", Hex.encode(c.signature()));
                signers++;
            }
        }
        request.put("nonce", Hex.encode(nonce));
        return "gateway " + gateway + " does not own set " + set + " (gateway " + owner + " does): " + signers
                + " gateways sign the evict";
    }

    private static JsonNode query(CometRpc rpc, String path, String data) throws IOException {
        CometRpc.QueryResult q = rpc.abciQuery(path, data.getBytes(StandardCharsets.UTF_8));
        return q.code() != 0 ? null : JSON.readTree(q.value());
    }
}
