package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Ed25519;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Evidence that the consortium removed a gateway: the committed {@link Operation#REMOVE_GATEWAY}
 * transaction itself, byte for byte. Whoever holds the gateways' public keys (a device: its
 * bundle's trust anchors) checks its signatures as the ledger's contract did: the transaction's
 * signer and the co-signers of {@link GatewayRemoval}, the removed gateway not counting, more
 * than two thirds of the consortium. It binds no device: it only says who left, and the
 * {@link Succession} rule says who adopts.
 */
public final class RemovalProof {
    private final LedgerTx tx;

    private RemovalProof(LedgerTx tx) {
        this.tx = tx;
    }

    /** The proof a committed removal gives. */
    public static RemovalProof of(LedgerTx tx) {
        if (tx.record().operation() != Operation.REMOVE_GATEWAY) {
            throw new IllegalArgumentException("not a REMOVE_GATEWAY transaction: " + tx);
        }
        return new RemovalProof(tx);
    }

    public static RemovalProof decode(byte[] bytes) throws TxFormatException {
        LedgerTx tx = LedgerTx.decode(bytes);
        if (tx.record().operation() != Operation.REMOVE_GATEWAY) {
            throw new TxFormatException(TxFormatException.Reason.UNKNOWN_OPERATION,
                    tx.record().operation() + " transaction where a REMOVE_GATEWAY was expected");
        }
        return new RemovalProof(tx);
    }

    public int removedGateway() {
        return tx.record().nodeId();
    }

    public byte[] encode() {
        return tx.encode();
    }

    /**
     * The gateways of {@code consortium} (id to Ed25519 public key), other than the removed one,
     * whose signature on this removal verifies. Signatures by anyone else, malformed
     * co-signatures and signatures that do not verify count for nothing.
     */
    public SortedSet<Integer> signers(Map<Integer, byte[]> consortium) {
        SortedSet<Integer> out = new TreeSet<>();
        int removed = removedGateway();
        byte[] submitterKey = consortium.get(tx.gatewayId());
        if (tx.gatewayId() != removed && submitterKey != null && tx.verifySignature(submitterKey)) {
            out.add(tx.gatewayId());
        }
        List<Cosignatures.Cosignature> cosigs;
        try {
            cosigs = Cosignatures.parse(tx.extension());
        } catch (TxFormatException e) {
            return out;
        }
        byte[] message = GatewayRemoval.message(removed, tx.record().refreshKey());
        for (Cosignatures.Cosignature c : cosigs) {
            byte[] key = consortium.get(c.gatewayId());
            if (c.gatewayId() != removed && key != null
                    && Ed25519.verify(key, message, 0, message.length, c.signature())) {
                out.add(c.gatewayId());
            }
        }
        return out;
    }

    /**
     * True when {@code consortium} holds the removed gateway and more than two thirds of it
     * signed this removal: what the ledger's contract required of it.
     */
    public boolean provenIn(Map<Integer, byte[]> consortium) {
        return consortium.containsKey(removedGateway())
                && signers(consortium).size() >= Cosignatures.quorum(consortium.size());
    }

    @Override
    public String toString() {
        return "RemovalProof[gateway " + removedGateway() + " removed, submitted by gateway " + tx.gatewayId() + "]";
    }
}
