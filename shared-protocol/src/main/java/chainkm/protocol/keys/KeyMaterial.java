package chainkm.protocol.keys;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * A key: its {@link KeyId}, its 16 bytes, and the seq at which it was set (the ledger's rekeying
 * operation that produced it). The bytes are copied in and out; {@link #destroy()} zeroes this
 * object's copy. toString shows the id and seq, never the bytes.
 *
 * <p>Two key materials are equal when id, seq and bytes are (bytes compared in constant
 * time); the hash code does not depend on the bytes.
 */
public final class KeyMaterial implements Destroyable {
    public static final int KEY_SIZE = 16;

    private final KeyId id;
    private final byte[] key;
    private final long seq;
    private volatile boolean destroyed;

    /**
     * @throws IllegalArgumentException if key is not 16 bytes or seq is negative
     */
    public KeyMaterial(KeyId id, byte[] key, long seq) {
        this.id = Objects.requireNonNull(id, "id");
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("key material for " + id + " must be " + KEY_SIZE + " bytes");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative");
        }
        this.key = key.clone();
        this.seq = seq;
    }

    public KeyId id() {
        return id;
    }

    public long seq() {
        return seq;
    }

    /**
     * A copy of the key bytes; zero it when done.
     *
     * @throws IllegalStateException once destroyed
     */
    public byte[] key() {
        if (destroyed) {
            throw new IllegalStateException("key material for " + id + " was destroyed");
        }
        return key.clone();
    }

    /** The key K' = KDF(K, r) at a new seq, labelled with this key's canonical id. */
    public KeyMaterial rollForward(byte[] refreshKey, long newSeq) {
        byte[] current = key();
        byte[] next = Kdf.rollForward(current, refreshKey, id.toString());
        try {
            return new KeyMaterial(id, next, newSeq);
        } finally {
            Arrays.fill(current, (byte) 0);
            Arrays.fill(next, (byte) 0);
        }
    }

    /** Zeroes this object's copy of the key bytes. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyMaterial other && id.equals(other.id) && seq == other.seq
                && destroyed == other.destroyed && MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + id + ", seq=" + seq + (destroyed ? ", destroyed" : "") + "]";
    }
}
