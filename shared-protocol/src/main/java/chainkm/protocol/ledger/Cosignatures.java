package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Ed25519;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Gateways' co-signatures on an operation that no single gateway may make alone (a gateway's
 * removal, an evict by others than the owner of the device's set), carried in the
 * transaction's extension: count (1), then per co-signer its gateway id (2) and its Ed25519
 * signature (64) over the operation's message ({@link GatewayRemoval#message},
 * {@link Eviction#message}). The transaction's own signer counts as one more.
 */
public final class Cosignatures {
    private Cosignatures() {}

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

    /**
     * The co-signers whose signature verifies, or the first co-signature that does not (an
     * unknown or excluded gateway, a bad signature): one invalid co-signature spoils the set.
     */
    public record Tally(SortedSet<Integer> signers, OptionalInt invalidSigner) {
        public boolean valid() {
            return invalidSigner.isEmpty();
        }
    }

    /** A message of the common shape: the operation's label, its subject (a node id) and its nonce. */
    public static byte[] message(String label, int subject, byte[] nonce) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(l.length + 4 + nonce.length).put(l).putInt(subject).put(nonce).array();
    }

    public static Cosignature cosign(int signerId, Ed25519.KeyPair key, byte[] message) {
        return new Cosignature(signerId, key.sign(message, 0, message.length));
    }

    /**
     * Checks every co-signature over {@code message}.
     *
     * @param publicKeyOf a gateway's public key, or null for a gateway that is not in the consortium
     * @param mayNotSign  gateways whose co-signature does not count (a removed gateway for its own removal)
     */
    public static Tally tally(List<Cosignature> cosignatures, byte[] message, IntFunction<byte[]> publicKeyOf,
                              IntPredicate mayNotSign) {
        SortedSet<Integer> signers = new TreeSet<>();
        for (Cosignature c : cosignatures) {
            byte[] key = publicKeyOf.apply(c.gatewayId());
            if (key == null || mayNotSign.test(c.gatewayId())
                    || !Ed25519.verify(key, message, 0, message.length, c.signature)) {
                return new Tally(Collections.unmodifiableSortedSet(signers), OptionalInt.of(c.gatewayId()));
            }
            signers.add(c.gatewayId());
        }
        return new Tally(Collections.unmodifiableSortedSet(signers), OptionalInt.empty());
    }

    public static byte[] extension(List<Cosignature> cosignatures) {
        if (cosignatures.size() > 255) {
            throw new IllegalArgumentException("at most 255 co-signatures");
        }
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
