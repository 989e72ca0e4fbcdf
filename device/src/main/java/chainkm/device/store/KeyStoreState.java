package chainkm.device.store;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The contents of a key store: keys, seq, named counters. Not thread-safe; the stores guard it.
 *
 * <p>Encoding (version 1, big-endian), keys in {@link KeyId} order and counters in name order,
 * so that one state has one encoding:
 * <pre>
 * seq             int64
 * key count       uint32
 *   key id        5 or 9 bytes ({@link KeyId#encode()})
 *   key seq       int64
 *   key           16 bytes
 * counter count   uint32
 *   name length   uint8 (1..255)
 *   name          UTF-8
 *   high-water    int64
 * </pre>
 */
final class KeyStoreState {
    static final int MAX_COUNTER_NAME_BYTES = 255;

    private final TreeMap<KeyId, KeyMaterial> keys;
    private final TreeMap<String, Long> counters;
    private long seq;

    private KeyStoreState(TreeMap<KeyId, KeyMaterial> keys, TreeMap<String, Long> counters, long seq) {
        this.keys = keys;
        this.counters = counters;
        this.seq = seq;
    }

    static KeyStoreState empty() {
        return new KeyStoreState(new TreeMap<>(), new TreeMap<>(), 0);
    }

    /** A copy that shares the (never mutated) key material objects. */
    KeyStoreState copy() {
        return new KeyStoreState(new TreeMap<>(keys), new TreeMap<>(counters), seq);
    }

    Optional<KeyMaterial> get(KeyId id) {
        KeyMaterial held = keys.get(id);
        return held == null ? Optional.empty() : Optional.of(copyOf(held));
    }

    SortedSet<KeyId> ids() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys.keySet()));
    }

    int size() {
        return keys.size();
    }

    void put(KeyMaterial key) {
        if (key.isDestroyed()) {
            throw new IllegalArgumentException("cannot store destroyed key material for " + key.id());
        }
        keys.put(key.id(), copyOf(key));
    }

    boolean remove(KeyId id) {
        return keys.remove(id) != null;
    }

    long seq() {
        return seq;
    }

    void setSeq(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative");
        }
        this.seq = seq;
    }

    long counter(String name) {
        checkCounterName(name);
        return counters.getOrDefault(name, 0L);
    }

    void setCounter(String name, long value) {
        checkCounterName(name);
        counters.put(name, value);
    }

    static void checkCounterName(String name) {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0 || length > MAX_COUNTER_NAME_BYTES) {
            throw new IllegalArgumentException("a counter name is 1 to " + MAX_COUNTER_NAME_BYTES + " UTF-8 bytes");
        }
    }

    /** Zeroes every key of this state that the other does not hold (the very same object). */
    void destroyKeysNotIn(KeyStoreState kept) {
        Set<KeyMaterial> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(kept.keys.values());
        for (KeyMaterial key : keys.values()) {
            if (!keep.contains(key)) {
                key.destroy();
            }
        }
    }

    void destroy() {
        keys.values().forEach(KeyMaterial::destroy);
        keys.clear();
    }

    int encodedLength() {
        int length = 8 + 4 + 4;
        for (KeyId id : keys.keySet()) {
            length += id.encodedLength() + 8 + KeyMaterial.KEY_SIZE;
        }
        for (String name : counters.keySet()) {
            length += 1 + name.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        return length;
    }

    /** The encoding above. The array holds key bytes: zero it when done. */
    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedLength());
        out.putLong(seq);
        out.putInt(keys.size());
        for (KeyMaterial material : keys.values()) {
            material.id().encodeTo(out);
            out.putLong(material.seq());
            byte[] key = material.key();
            out.put(key);
            Arrays.fill(key, (byte) 0);
        }
        out.putInt(counters.size());
        for (Map.Entry<String, Long> counter : counters.entrySet()) {
            byte[] name = counter.getKey().getBytes(StandardCharsets.UTF_8);
            out.put((byte) name.length);
            out.put(name);
            out.putLong(counter.getValue());
        }
        return out.array();
    }

    /**
     * Decodes exactly what {@link #encode()} writes.
     *
     * @throws IllegalArgumentException on anything else (the message names no key bytes)
     */
    static KeyStoreState decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        KeyStoreState state = empty();
        try {
            state.setSeq(in.getLong());
            long keyCount = Integer.toUnsignedLong(in.getInt());
            if (keyCount > in.remaining() / (KeyId.SINGLE_SIZE + 8 + KeyMaterial.KEY_SIZE)) {
                throw new IllegalArgumentException("key count larger than the store");
            }
            KeyId previous = null;
            byte[] key = new byte[KeyMaterial.KEY_SIZE];
            try {
                for (long i = 0; i < keyCount; i++) {
                    KeyId id = KeyId.decodeFrom(in);
                    if (previous != null && previous.compareTo(id) >= 0) {
                        throw new IllegalArgumentException("keys out of order or repeated");
                    }
                    long keySeq = in.getLong();
                    in.get(key);
                    state.keys.put(id, new KeyMaterial(id, key, keySeq));
                    previous = id;
                }
            } finally {
                Arrays.fill(key, (byte) 0);
            }
            long counterCount = Integer.toUnsignedLong(in.getInt());
            String previousName = null;
            for (long i = 0; i < counterCount; i++) {
                byte[] name = new byte[Byte.toUnsignedInt(in.get())];
                in.get(name);
                String text = new String(name, StandardCharsets.UTF_8);
                if (!Arrays.equals(name, text.getBytes(StandardCharsets.UTF_8))) {
                    throw new IllegalArgumentException("counter name is not UTF-8");
                }
                if (previousName != null && previousName.compareTo(text) >= 0) {
                    throw new IllegalArgumentException("counters out of order or repeated");
                }
                long value = in.getLong();
                if (value < 0) {
                    throw new IllegalArgumentException("negative counter");
                }
                state.setCounter(text, value);
                previousName = text;
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("trailing bytes");
            }
            return state;
        } catch (BufferUnderflowException e) {
            state.destroy();
            throw new IllegalArgumentException("truncated");
        } catch (IllegalArgumentException e) {
            state.destroy();
            throw e;
        }
    }

    private static KeyMaterial copyOf(KeyMaterial material) {
        byte[] key = material.key();
        try {
            return new KeyMaterial(material.id(), key, material.seq());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
