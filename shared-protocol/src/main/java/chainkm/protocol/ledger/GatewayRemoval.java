package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the co-signers of a {@link Operation#REMOVE_GATEWAY} transaction sign; the extension
 * carries their {@link Cosignatures}. The ledger accepts the removal when more than two thirds
 * of the consortium (the removed gateway not counting as a signer) signed it.
 */
public final class GatewayRemoval {
    private static final byte[] LABEL = "chainkm/v1/remove-gateway".getBytes(StandardCharsets.US_ASCII);

    private GatewayRemoval() {}

    /** The label, the removed gateway's id (2 bytes) and the operation's nonce (its refresh key). */
    public static byte[] message(int removedGateway, byte[] nonce) {
        return ByteBuffer.allocate(LABEL.length + 2 + nonce.length).put(LABEL).putShort((short) removedGateway)
                .put(nonce).array();
    }

    public static Cosignatures.Cosignature cosign(int signerId, Ed25519.KeyPair key, int removedGateway, byte[] nonce) {
        return Cosignatures.cosign(signerId, key, message(removedGateway, nonce));
    }
}
