package chainkm.gateway.cometbft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * JSON-RPC 2.0 client (HTTP POST) for a CometBFT node's RPC on 127.0.0.1. Every call has a
 * timeout. In CometBFT's JSON, int64 values are strings and byte slices base64 (hashes and
 * app hashes are upper-case hex); ABCI codes are numbers and 0 is omitted. Failures raise
 * {@link CometRpcException}.
 */
public final class CometRpc {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final Pattern TX_NOT_FOUND = Pattern.compile("tx \\([0-9A-Fa-f]*\\) not found");
    /** Longer than the node's timeout_broadcast_tx_commit (10 s), so the node times out first. */
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(15);

    private final URI uri;
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();

    /** The node's status: its latest committed block and whether it is still catching up. */
    public record Status(String nodeId, String moniker, String network, long latestBlockHeight,
                         String latestBlockHashHex, String latestAppHashHex, boolean catchingUp) {
    }

    /** broadcast_tx_sync: the CheckTx answer. */
    public record BroadcastResult(int code, String log, String codespace, String hashHex) {
        public boolean isOk() {
            return code == 0;
        }
    }

    /** broadcast_tx_commit: the CheckTx answer and, if it passed, the block execution result. */
    public record CommitResult(int checkTxCode, String checkTxLog, int txResultCode, String txResultLog,
                               long height, String hashHex) {
        /** Accepted by CheckTx and executed with code 0. */
        public boolean isOk() {
            return checkTxCode == 0 && txResultCode == 0 && height > 0;
        }
    }

    /** A committed transaction, from the tx index. */
    public record TxResult(String hashHex, long height, int index, int code, String log) {
    }

    /** abci_query's answer. */
    public record QueryResult(int code, String log, byte[] key, byte[] value, long height) {
    }

    /** A block header's fields that tests and checks compare across validators. */
    public record Header(long height, String time, String appHashHex, String proposerAddressHex) {
    }

    /** A client with a 5 s timeout per call (15 s for broadcast_tx_commit). */
    public CometRpc(int port) {
        this(port, Duration.ofSeconds(5));
    }

    public CometRpc(int port, Duration timeout) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.uri = URI.create("http://127.0.0.1:" + port + "/");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** CometBFT's transaction hash: SHA-256 of the transaction bytes, upper-case hex. */
    public static String txHashHex(byte[] tx) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(tx));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public Status status() {
        JsonNode r = call("status", JSON.createObjectNode(), timeout);
        JsonNode node = r.path("node_info");
        JsonNode sync = r.path("sync_info");
        return new Status(node.path("id").asText(), node.path("moniker").asText(), node.path("network").asText(),
                int64(sync, "latest_block_height"), sync.path("latest_block_hash").asText(),
                sync.path("latest_app_hash").asText(), sync.path("catching_up").asBoolean());
    }

    /** Submits a transaction and returns after CheckTx (the paper's asynchronous mode). */
    public BroadcastResult broadcastTxSync(byte[] tx) {
        ObjectNode params = JSON.createObjectNode().put("tx", Base64.getEncoder().encodeToString(tx));
        JsonNode r = call("broadcast_tx_sync", params, timeout);
        return new BroadcastResult(r.path("code").asInt(0), r.path("log").asText(""),
                r.path("codespace").asText(""), r.path("hash").asText());
    }

    /**
     * Submits a transaction and returns once it is committed in a block, or CheckTx refused
     * it (the paper's synchronous mode). The node gives up after its
     * timeout_broadcast_tx_commit; that arrives as a {@link CometRpcException}.
     */
    public CommitResult broadcastTxCommit(byte[] tx) {
        ObjectNode params = JSON.createObjectNode().put("tx", Base64.getEncoder().encodeToString(tx));
        JsonNode r = call("broadcast_tx_commit", params, COMMIT_TIMEOUT.compareTo(timeout) > 0 ? COMMIT_TIMEOUT : timeout);
        JsonNode check = r.path("check_tx");
        JsonNode result = r.path("tx_result");
        return new CommitResult(check.path("code").asInt(0), check.path("log").asText(""),
                result.path("code").asInt(0), result.path("log").asText(""),
                int64(r, "height"), r.path("hash").asText());
    }

    /** A committed transaction by its hash (see {@link #txHashHex}); empty if not (yet) committed. */
    public Optional<TxResult> tx(String hashHex) {
        return tx(HexFormat.of().parseHex(hashHex));
    }

    /** A committed transaction by its 32-byte hash; empty if not (yet) committed. */
    public Optional<TxResult> tx(byte[] hash) {
        ObjectNode params = JSON.createObjectNode()
                .put("hash", Base64.getEncoder().encodeToString(hash))
                .put("prove", false);
        JsonNode r;
        try {
            r = call("tx", params, timeout);
        } catch (CometRpcException e) {
            if (TX_NOT_FOUND.matcher(e.data()).find()) {
                return Optional.empty();
            }
            throw e;
        }
        JsonNode result = r.path("tx_result");
        return Optional.of(new TxResult(r.path("hash").asText(), int64(r, "height"), r.path("index").asInt(0),
                result.path("code").asInt(0), result.path("log").asText("")));
    }

    /** abci_query at the latest height, without proof. */
    public QueryResult abciQuery(String path, byte[] data) {
        ObjectNode params = JSON.createObjectNode()
                .put("path", path)
                .put("data", HEX.formatHex(data))   // HexBytes: hex in JSON, not base64
                .put("height", "0")
                .put("prove", false);
        JsonNode r = call("abci_query", params, timeout).path("response");
        return new QueryResult(r.path("code").asInt(0), r.path("log").asText(""),
                base64(r, "key"), base64(r, "value"), int64(r, "height"));
    }

    /**
     * The header of the block at {@code height}. Its app hash is the state after the block
     * before it: the value every validator must agree on at that height.
     */
    public Header header(long height) {
        ObjectNode params = JSON.createObjectNode().put("height", Long.toString(height));
        JsonNode h = call("header", params, timeout).path("header");
        return new Header(int64(h, "height"), h.path("time").asText(), h.path("app_hash").asText(),
                h.path("proposer_address").asText());
    }

    /** How many transactions wait in the node's mempool. */
    public int numUnconfirmedTxs() {
        JsonNode r = call("num_unconfirmed_txs", JSON.createObjectNode(), timeout);
        return (int) int64(r, "total");
    }

    /** How many peers the node is connected to. */
    public int netInfoPeers() {
        JsonNode r = call("net_info", JSON.createObjectNode(), timeout);
        return (int) int64(r, "n_peers");
    }

    private JsonNode call(String method, ObjectNode params, Duration callTimeout) {
        long id = ids.incrementAndGet();
        ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        req.set("params", params);
        HttpResponse<String> resp;
        try {
            HttpRequest httpReq = HttpRequest.newBuilder(uri)
                    .timeout(callTimeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(req), StandardCharsets.UTF_8))
                    .build();
            resp = http.send(httpReq, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CometRpcException(method + " to " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CometRpcException(method + " to " + uri + " interrupted", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new CometRpcException(method + ": HTTP " + resp.statusCode() + " with a body that is not JSON: "
                    + abbreviate(resp.body()), e);
        }
        if (body == null || !body.isObject()) {
            throw new CometRpcException(method + ": HTTP " + resp.statusCode() + " with an unexpected body: "
                    + abbreviate(resp.body()), null);
        }
        JsonNode error = body.get("error");
        if (error != null && !error.isNull()) {
            throw new CometRpcException(method, error.path("code").asInt(), error.path("message").asText(),
                    error.path("data").asText(""));
        }
        JsonNode result = body.get("result");
        if (result == null || !result.isObject()) {
            throw new CometRpcException(method + ": HTTP " + resp.statusCode() + " without a result: "
                    + abbreviate(resp.body()), null);
        }
        return result;
    }

    private static long int64(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        try {
            return Long.parseLong(v.asText());
        } catch (NumberFormatException e) {
            throw new CometRpcException("field " + field + " is not an int64: " + v, e);
        }
    }

    private static byte[] base64(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return new byte[0];
        }
        return Base64.getDecoder().decode(v.asText());
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    @Override
    public String toString() {
        return "CometRpc[" + uri + "]";
    }
}
