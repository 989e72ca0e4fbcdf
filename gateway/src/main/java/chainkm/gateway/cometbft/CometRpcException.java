package chainkm.gateway.cometbft;

/**
 * A CometBFT RPC call failed: the node answered with a JSON-RPC error (then {@link #rpcCode()}
 * and {@link #data()} hold its code and detail), or it could not be reached, timed out, or
 * answered something that is not JSON-RPC (then {@link #rpcCode()} is 0 and the cause is set).
 */
public class CometRpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int rpcCode;
    private final String data;

    public CometRpcException(String method, int rpcCode, String message, String data) {
        super(method + ": " + message + (data == null || data.isEmpty() ? "" : ": " + data));
        this.rpcCode = rpcCode;
        this.data = data == null ? "" : data;
    }

    public CometRpcException(String message, Throwable cause) {
        super(message, cause);
        this.rpcCode = 0;
        this.data = "";
    }

    /** The JSON-RPC error code (e.g. -32603 internal error), 0 for transport failures. */
    public int rpcCode() {
        return rpcCode;
    }

    /** The JSON-RPC error's data: CometBFT puts the actual reason here. */
    public String data() {
        return data;
    }
}
