package chainkm.gateway.ledger;

import static chainkm.gateway.ledger.Contracts.accept;
import static chainkm.gateway.ledger.Contracts.refuse;

import chainkm.gateway.ledger.Contracts.Verdict;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import java.util.List;
import java.util.OptionalLong;

/**
 * The contract of a RENEW: the owner gateway of a set renews every key of the set (its
 * cryptoperiod ended). The record names the set and nothing else (node 0, zero hash, no
 * extension: {@code MALFORMED_EXTENSION} otherwise); the set exists ({@code UNKNOWN_SET}); the
 * signer owns it ({@code RENEW_NOT_OWNER}: only the gateway that holds the set's keys can renew
 * them, and no other gateway may make a set's devices do key work); and the set was not renewed
 * in the last {@link #MIN_BLOCKS_BETWEEN} blocks ({@code RENEW_TOO_SOON}), so that neither a
 * faulty owner nor a scheduler gone wrong can make the ledger carry a renewal per block.
 */
final class RenewContracts {
    /**
     * The fewest blocks between two renewals of one set. A consensus rule (every validator must
     * use the same), so a constant rather than configuration: gateways renew far less often
     * ({@code renew_after_blocks}, at least this), it only bounds a misbehaving one.
     */
    static final int MIN_BLOCKS_BETWEEN = 10;

    private RenewContracts() {}

    /** Checks a RENEW at the state's next height (the block being built or executed). */
    static Verdict check(LedgerState state, LedgerTx tx, ChangeRecord r) {
        if (r.nodeId() != 0 || !isZero(r.secretCodeHash()) || tx.extension().length > 0) {
            return refuse(TxCode.MALFORMED_EXTENSION, tx, "a renewal names only its set");
        }
        if (!state.layout().setIds().contains(r.setId())) {
            return refuse(TxCode.UNKNOWN_SET, tx, "set " + r.setId());
        }
        int owner = state.layout().ownerOf(r.setId());
        if (tx.gatewayId() != owner) {
            return refuse(TxCode.RENEW_NOT_OWNER, tx, "gateway " + tx.gatewayId() + ", set " + r.setId()
                    + " is gateway " + owner + "'s");
        }
        long next = state.height() + 1;
        OptionalLong last = state.lastRenewal(r.setId(), next - MIN_BLOCKS_BETWEEN + 1);
        if (last.isPresent()) {
            return refuse(TxCode.RENEW_TOO_SOON, tx, "set " + r.setId() + " was renewed at height " + last.getAsLong());
        }
        return accept(tx);
    }

    /** Records the renewal: a key operation (every gateway's key manager replaces the set's keys). */
    static RefreshEntry apply(LedgerState state, LedgerTx tx, long height, int index) {
        ChangeRecord r = tx.record();
        RefreshEntry entry = new RefreshEntry(height, index, r.operation(), 0, r.setId(), r.refreshKey(),
                tx.gatewayId(), List.of());
        state.appendRefresh(entry);
        return entry;
    }

    private static boolean isZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }
}
