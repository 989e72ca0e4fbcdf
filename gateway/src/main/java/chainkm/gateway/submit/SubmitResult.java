package chainkm.gateway.submit;

import chainkm.protocol.ledger.Operation;

/**
 * What happened to one submitted operation.
 *
 * @param status   committed, accepted (sync mode: passed CheckTx, landing is tracked) or refused
 * @param code     the ledger's code (0 when accepted)
 * @param height   the block height when committed, 0 otherwise (or when only found later)
 * @param attempts transactions built for it (a retry after a set conflict builds a new one)
 * @param timing   T_e and (once committed) T_a of the paper's equation (4); T_k is added by the caller
 */
public record SubmitResult(Operation operation, int nodeId, int setId, SubmitStatus status, int code, String log,
                           long height, String txHash, int attempts, double elapsedMillis, OpTiming timing) {
    public boolean committed() {
        return status == SubmitStatus.COMMITTED;
    }
}
