package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Sha256;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A chainkm ledger transaction, big-endian:
 * <pre>
 *   version        1 byte   (1)
 *   record        57 bytes  {@link ChangeRecord}: the paper's Fig. 3
 *   gateway id     2 bytes  unsigned, the originating gateway (consortium member from genesis)
 *   extension len  4 bytes  unsigned, at most {@link #MAX_EXTENSION}
 *   extension      n bytes  opaque to the ledger contracts; later issues put sealed key material here
 *   signature     64 bytes  Ed25519 by the originating gateway over every preceding byte
 * </pre>
 */
public final class LedgerTx {
    public static final int VERSION = 1;
    public static final int MAX_EXTENSION = 64 * 1024;
    public static final int MIN_SIZE = 1 + ChangeRecord.SIZE + 2 + 4 + Ed25519.SIGNATURE_SIZE;

    private final ChangeRecord record;
    private final int gatewayId;
    private final byte[] extension;
    private final byte[] signature;
    private final byte[] encoded;

    private LedgerTx(ChangeRecord record, int gatewayId, byte[] extension, byte[] signature, byte[] encoded) {
        this.record = record;
        this.gatewayId = gatewayId;
        this.extension = extension;
        this.signature = signature;
        this.encoded = encoded;
    }

    /** Builds and signs a transaction as gateway {@code gatewayId}. */
    public static LedgerTx sign(ChangeRecord record, int gatewayId, byte[] extension, Ed25519.KeyPair gatewayKey) {
        Objects.requireNonNull(record, "record");
        byte[] ext = extension == null ? new byte[0] : extension.clone();
        if (gatewayId < 0 || gatewayId > 0xFFFF) {
            throw new IllegalArgumentException("gateway id must fit in 16 bits");
        }
        if (ext.length > MAX_EXTENSION) {
            throw new IllegalArgumentException("extension larger than " + MAX_EXTENSION + " bytes");
        }
        int unsignedLength = 1 + ChangeRecord.SIZE + 2 + 4 + ext.length;
        ByteBuffer out = ByteBuffer.allocate(unsignedLength + Ed25519.SIGNATURE_SIZE);
        out.put((byte) VERSION);
        record.encodeTo(out);
        out.putShort((short) gatewayId);
        out.putInt(ext.length);
        out.put(ext);
        byte[] sig = gatewayKey.sign(out.array(), 0, unsignedLength);
        out.put(sig);
        return new LedgerTx(record, gatewayId, ext, sig, out.array());
    }

    /** Parses the bytes; does not check the signature (that needs the consortium: see {@link #verifySignature}). */
    public static LedgerTx decode(byte[] bytes) throws TxFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new TxFormatException(TxFormatException.Reason.EMPTY, "no bytes");
        }
        int version = Byte.toUnsignedInt(bytes[0]);
        if (version != VERSION) {
            throw new TxFormatException(TxFormatException.Reason.UNSUPPORTED_VERSION, "version " + version);
        }
        if (bytes.length < MIN_SIZE) {
            throw new TxFormatException(TxFormatException.Reason.TRUNCATED,
                    bytes.length + " bytes, at least " + MIN_SIZE + " needed");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get();
        ChangeRecord record = ChangeRecord.decodeFrom(in);
        int gatewayId = Short.toUnsignedInt(in.getShort());
        long extLength = Integer.toUnsignedLong(in.getInt());
        if (extLength > MAX_EXTENSION) {
            throw new TxFormatException(TxFormatException.Reason.EXTENSION_TOO_LARGE, extLength + " bytes");
        }
        long expected = (long) MIN_SIZE + extLength;
        if (bytes.length < expected) {
            throw new TxFormatException(TxFormatException.Reason.TRUNCATED, bytes.length + " bytes, " + expected + " expected");
        }
        if (bytes.length > expected) {
            throw new TxFormatException(TxFormatException.Reason.TRAILING_BYTES, bytes.length + " bytes, " + expected + " expected");
        }
        byte[] ext = new byte[(int) extLength];
        in.get(ext);
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        in.get(sig);
        return new LedgerTx(record, gatewayId, ext, sig, bytes.clone());
    }

    /** True when the signature verifies under the given gateway public key. */
    public boolean verifySignature(byte[] gatewayPublicKey) {
        return Ed25519.verify(gatewayPublicKey, encoded, 0, encoded.length - Ed25519.SIGNATURE_SIZE, signature);
    }

    public ChangeRecord record() {
        return record;
    }

    public int gatewayId() {
        return gatewayId;
    }

    public byte[] extension() {
        return extension.clone();
    }

    public byte[] encode() {
        return encoded.clone();
    }

    /** CometBFT's transaction hash: SHA-256 of the transaction bytes. */
    public byte[] hash() {
        return Sha256.hash(encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LedgerTx t && Arrays.equals(encoded, t.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "LedgerTx[" + record + " from gateway " + gatewayId + "]";
    }
}
