package chainkm.gateway.submit;

import chainkm.protocol.ledger.Operation;

/**
 * What happened to one submitted operation.
 *
 * @param status   {@code committed}, {@code accepted} (sync mode: passed CheckTx, landing is
 *                 tracked) or {@code refused}
 * @param code     the ledger's code (0 when accepted)
 * @param height   the block height when committed, 0 otherwise
 * @param attempts transactions built for it (a retry after a set conflict builds a new one)
 * @param timing   T_e and (once committed) T_a of the paper's equation (4); T_k is added by the caller
 */
public record SubmitResult(Operation operation, int nodeId, int setId, String status, int code, String log,
                           long height, String txHash, int attempts, double elapsedMillis, OpTiming timing) {
    public static final String COMMITTED = "committed";
    public static final String ACCEPTED = "accepted";
    public static final String REFUSED = "refused";

    public boolean committed() {
        return COMMITTED.equals(status);
    }
}
