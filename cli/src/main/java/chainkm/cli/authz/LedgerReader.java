package chainkm.cli.authz;

import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.cometbft.CometRpcException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The ledger's {@code /authz/...} queries (abci_query on the committed state, through a gateway's
 * CometBFT RPC): their JSON, or the ledger's refusal (code 1 not found, 2 bad request).
 */
public final class LedgerReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CometRpc rpc;
    private final String description;

    LedgerReader(int rpcPort, String description) {
        this.rpc = new CometRpc(rpcPort, Duration.ofSeconds(10));
        this.description = description;
    }

    /** The answer of one query. */
    public record Answer(JsonNode json, Refusal refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    public Answer query(String path, String data) throws IOException {
        CometRpc.QueryResult r;
        try {
            r = rpc.abciQuery(path, data.getBytes(StandardCharsets.UTF_8));
        } catch (CometRpcException e) {
            throw new IOException(description + " does not answer: is the gateway running? (" + e.getMessage() + ")", e);
        }
        if (r.code() != 0) {
            return new Answer(null, Refusal.ofQuery(r.code(), r.log()));
        }
        return new Answer(JSON.readTree(r.value()), null);
    }
}
