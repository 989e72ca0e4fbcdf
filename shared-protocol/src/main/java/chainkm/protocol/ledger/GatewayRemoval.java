package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Ed25519;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The co-signatures of a {@link Operation#REMOVE_GATEWAY} transaction, carried in its extension:
 * count (1), then per co-signer its gateway id (2) and its Ed25519 signature (64) over
 * {@link #message}. The transaction's own signer counts as one more. The ledger accepts the
 * removal when more than two thirds of the consortium (the removed gateway not counting as a
 * signer) signed it.
 */
public final class GatewayRemoval {
    private static final byte[] LABEL = "chainkm/v1/remove-gateway".getBytes(StandardCharsets.US_ASCII);

    private GatewayRemoval() {}

    /** One co-signer's signature. */
    public record Cosignature(int gatewayId, byte[] signature) {
        public Cosignature {
            signature = signature.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }
    }

    /** What every co-signer signs: the label, the removed gateway's id and the operation's nonce. */
    public static byte[] message(int removedGateway, byte[] nonce) {
        return ByteBuffer.allocate(LABEL.length + 2 + nonce.length).put(LABEL).putShort((short) removedGateway)
                .put(nonce).array();
    }

    public static Cosignature cosign(int signerId, Ed25519.KeyPair key, int removedGateway, byte[] nonce) {
        byte[] m = message(removedGateway, nonce);
        return new Cosignature(signerId, key.sign(m, 0, m.length));
    }

    public static byte[] extension(List<Cosignature> cosignatures) {
        ByteBuffer out = ByteBuffer.allocate(1 + cosignatures.size() * (2 + Ed25519.SIGNATURE_SIZE));
        out.put((byte) cosignatures.size());
        for (Cosignature c : cosignatures) {
            out.putShort((short) c.gatewayId()).put(c.signature);
        }
        return out.array();
    }

    public static List<Cosignature> parse(byte[] extension) throws TxFormatException {
        try {
            ByteBuffer in = ByteBuffer.wrap(extension);
            int count = Byte.toUnsignedInt(in.get());
            List<Cosignature> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int id = Short.toUnsignedInt(in.getShort());
                byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
                in.get(sig);
                out.add(new Cosignature(id, sig));
            }
            if (in.hasRemaining()) {
                throw new TxFormatException(TxFormatException.Reason.TRAILING_BYTES, "after the co-signatures");
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new TxFormatException(TxFormatException.Reason.TRUNCATED, "co-signatures");
        }
    }

    /** More than two thirds of a consortium of {@code size} gateways. */
    public static int quorum(int size) {
        return 2 * size / 3 + 1;
    }
}
