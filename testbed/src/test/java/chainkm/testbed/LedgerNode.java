package chainkm.testbed;

import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.JsonNode;

/** One node as the ledger has it (its {@code /node} query), read by name; equal when the ledger's record is. */
record LedgerNode(JsonNode json) {
    /** The gateway that owns the node's set. */
    int owner() {
        return json.path("gateway").asInt();
    }

    /** The gateway the node is attached to now (its owner until it rejoins elsewhere). */
    int attachedGateway() {
        return json.path("attached_gateway").asInt();
    }

    int setId() {
        return json.path("set_id").asInt();
    }

    /** The commitment to the node's secret code, the anchor of its rejoin proofs. */
    byte[] secretCodeHash() {
        return Hex.decode(json.path("secret_code_hash").asText());
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
