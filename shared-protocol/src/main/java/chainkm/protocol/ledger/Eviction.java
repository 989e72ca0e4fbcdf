package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Ed25519;

/**
 * What the co-signers of an {@link Operation#EVICT} sign when the owner of the device's set
 * cannot (dead, or suspect): the label {@code chainkm/v1/evict}, the node id (4 bytes) and the
 * operation's nonce, which is the transaction's refresh key. The extension carries their
 * {@link Cosignatures}; the ledger wants more than two thirds of the consortium, the
 * transaction's signer counting as one. An evict by the owner carries no extension.
 */
public final class Eviction {
    public static final String LABEL = "chainkm/v1/evict";

    private Eviction() {}

    public static byte[] message(int nodeId, byte[] nonce) {
        return Cosignatures.message(LABEL, nodeId, nonce);
    }

    public static Cosignatures.Cosignature cosign(int signerId, Ed25519.KeyPair key, int nodeId, byte[] nonce) {
        return Cosignatures.cosign(signerId, key, message(nodeId, nonce));
    }
}
