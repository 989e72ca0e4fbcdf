package chainkm.protocol.ledger;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The paper's 57-byte transaction record (kandi2020, Fig. 3), big-endian:
 * operation (1), node id (4), set id (4), SHA-256 of the node's secret code (32), refresh key (16).
 * Node and set ids are unsigned on the wire; chainkm only uses values up to 2^31 - 1.
 */
public record ChangeRecord(Operation operation, int nodeId, int setId, byte[] secretCodeHash, byte[] refreshKey) {
    public static final int SIZE = 57;
    public static final int HASH_SIZE = 32;
    public static final int REFRESH_KEY_SIZE = 16;

    public ChangeRecord {
        Objects.requireNonNull(operation, "operation");
        if (secretCodeHash == null || secretCodeHash.length != HASH_SIZE) {
            throw new IllegalArgumentException("secret-code hash must be " + HASH_SIZE + " bytes");
        }
        if (refreshKey == null || refreshKey.length != REFRESH_KEY_SIZE) {
            throw new IllegalArgumentException("refresh key must be " + REFRESH_KEY_SIZE + " bytes");
        }
        secretCodeHash = secretCodeHash.clone();
        refreshKey = refreshKey.clone();
    }

    @Override
    public byte[] secretCodeHash() {
        return secretCodeHash.clone();
    }

    @Override
    public byte[] refreshKey() {
        return refreshKey.clone();
    }

    public void encodeTo(ByteBuffer out) {
        out.put((byte) operation.code());
        out.putInt(nodeId);
        out.putInt(setId);
        out.put(secretCodeHash);
        out.put(refreshKey);
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(SIZE);
        encodeTo(out);
        return out.array();
    }

    /** Reads one record; the buffer must hold at least {@link #SIZE} bytes. */
    public static ChangeRecord decodeFrom(ByteBuffer in) throws TxFormatException {
        if (in.remaining() < SIZE) {
            throw new TxFormatException(TxFormatException.Reason.TRUNCATED, "record needs " + SIZE + " bytes");
        }
        int code = Byte.toUnsignedInt(in.get());
        Operation op = Operation.fromCode(code);
        if (op == null) {
            throw new TxFormatException(TxFormatException.Reason.UNKNOWN_OPERATION, "operation code " + code);
        }
        int nodeId = in.getInt();
        int setId = in.getInt();
        byte[] hash = new byte[HASH_SIZE];
        in.get(hash);
        byte[] refresh = new byte[REFRESH_KEY_SIZE];
        in.get(refresh);
        return new ChangeRecord(op, nodeId, setId, hash, refresh);
    }

    public static ChangeRecord decode(byte[] bytes) throws TxFormatException {
        if (bytes.length != SIZE) {
            throw new TxFormatException(bytes.length < SIZE ? TxFormatException.Reason.TRUNCATED
                    : TxFormatException.Reason.TRAILING_BYTES, "record is " + bytes.length + " bytes, not " + SIZE);
        }
        return decodeFrom(ByteBuffer.wrap(bytes));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeRecord r && operation == r.operation && nodeId == r.nodeId && setId == r.setId
                && Arrays.equals(secretCodeHash, r.secretCodeHash) && Arrays.equals(refreshKey, r.refreshKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(operation, nodeId, setId, Arrays.hashCode(secretCodeHash));
    }

    /** Never prints the refresh key. */
    @Override
    public String toString() {
        return operation + "(node=" + nodeId + ", set=" + setId + ")";
    }
}
