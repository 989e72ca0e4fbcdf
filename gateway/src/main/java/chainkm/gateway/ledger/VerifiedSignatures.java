package chainkm.gateway.ledger;

import chainkm.protocol.ledger.LedgerTx;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the transactions whose signature verified, so that CheckTx, its rechecks after
 * every block, PrepareProposal, ProcessProposal and FinalizeBlock verify each transaction once
 * on this node instead of up to five times. Remembered: the transaction's hash (over all its
 * bytes, signature included) with the public key it verified under; a hit needs both to match,
 * so the answer is always the one a fresh verification would give (Ed25519 verification is
 * deterministic). Only successes are kept; a bounded, least-recently-used set.
 */
final class VerifiedSignatures implements Contracts.SignatureCheck {
    private static final int KEEP = 8192;

    private final Map<String, byte[]> verified = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > KEEP;
        }
    };

    @Override
    public boolean verify(LedgerTx tx, byte[] gatewayPublicKey) {
        String hash = java.util.HexFormat.of().formatHex(tx.hash());
        synchronized (verified) {
            byte[] key = verified.get(hash);
            if (key != null && MessageDigest.isEqual(key, gatewayPublicKey)) {
                return true;
            }
        }
        if (!tx.verifySignature(gatewayPublicKey)) {
            return false;
        }
        synchronized (verified) {
            verified.put(hash, gatewayPublicKey.clone());
        }
        return true;
    }
}
