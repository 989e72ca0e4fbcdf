package chainkm.protocol.keys;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Names a key, never holds it. Ids are node ids or set ids, 0 to 2^31 - 1 (the ledger's ids).
 *
 * <p>Canonical text: {@code nk:12}, {@code sk:3}, {@code pnk:12-40}, {@code psk:3-7}: decimal,
 * no sign, no leading zero, the smaller id of a pair first. {@link #parse} accepts only that form,
 * so one key has one name.
 *
 * <p>Canonical bytes: the kind's code (1 byte), then the id (4 bytes, big-endian), or for a pair
 * the smaller then the larger id (4 + 4 bytes): 5 or 9 bytes in all.
 *
 * <p>Ordered by kind (declaration order of {@link KeyKind}), then the first id, then the second,
 * so that iterating over sorted ids is deterministic.
 */
public final class KeyId implements Comparable<KeyId> {
    public static final int SINGLE_SIZE = 5;
    public static final int PAIR_SIZE = 9;

    private final KeyKind kind;
    private final int first;
    /** Equal to first for a single id. */
    private final int second;

    private KeyId(KeyKind kind, int first, int second) {
        this.kind = kind;
        this.first = first;
        this.second = second;
    }

    public static KeyId nodeKey(int nodeId) {
        return single(KeyKind.NODE_KEY, nodeId);
    }

    public static KeyId setKey(int setId) {
        return single(KeyKind.SET_KEY, setId);
    }

    /** The key between two nodes of one set, in either order. */
    public static KeyId pairwiseNodeKey(int nodeA, int nodeB) {
        return pair(KeyKind.PAIRWISE_NODE_KEY, nodeA, nodeB);
    }

    /** The key between two sets, in either order. */
    public static KeyId pairwiseSetKey(int setA, int setB) {
        return pair(KeyKind.PAIRWISE_SET_KEY, setA, setB);
    }

    /** A key id of any kind: for a single kind b must equal a. */
    public static KeyId of(KeyKind kind, int a, int b) {
        Objects.requireNonNull(kind, "kind");
        if (kind.isPairwise()) {
            return pair(kind, a, b);
        }
        if (a != b) {
            throw new IllegalArgumentException(kind + " has one id, not two");
        }
        return single(kind, a);
    }

    private static KeyId single(KeyKind kind, int id) {
        checkId(id);
        return new KeyId(kind, id, id);
    }

    private static KeyId pair(KeyKind kind, int a, int b) {
        checkId(a);
        checkId(b);
        if (a == b) {
            throw new IllegalArgumentException(kind + " links two different " + (kind.identifiesNodes() ? "nodes" : "sets")
                    + ", not " + a + " with itself");
        }
        return new KeyId(kind, Math.min(a, b), Math.max(a, b));
    }

    private static void checkId(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("node and set ids are 0 to 2^31 - 1, not " + Integer.toUnsignedString(id));
        }
    }

    public KeyKind kind() {
        return kind;
    }

    /** The id of a single key, or the smaller id of a pair. */
    public int first() {
        return first;
    }

    /** The larger id of a pair; for a single key the same as {@link #first()}. */
    public int second() {
        return second;
    }

    /** True if this key names the node: its node key, or a pairwise node key it is one end of. */
    public boolean involvesNode(int nodeId) {
        return kind.identifiesNodes() && (first == nodeId || second == nodeId);
    }

    /** True if this key names the set: its set key, or a pairwise set key it is one end of. */
    public boolean involvesSet(int setId) {
        return !kind.identifiesNodes() && (first == setId || second == setId);
    }

    /** For a pair containing id, the other end. */
    public int other(int id) {
        if (!kind.isPairwise() || (id != first && id != second)) {
            throw new IllegalArgumentException(this + " has no end " + id);
        }
        return id == first ? second : first;
    }

    public int encodedLength() {
        return kind.isPairwise() ? PAIR_SIZE : SINGLE_SIZE;
    }

    public void encodeTo(ByteBuffer out) {
        out.put((byte) kind.code());
        out.putInt(first);
        if (kind.isPairwise()) {
            out.putInt(second);
        }
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedLength());
        encodeTo(out);
        return out.array();
    }

    /**
     * Reads one key id from the buffer's position.
     *
     * @throws IllegalArgumentException on an unknown kind, a truncated id, or a non-canonical
     *         one (negative id, pair not in increasing order)
     */
    public static KeyId decodeFrom(ByteBuffer in) {
        try {
            int code = Byte.toUnsignedInt(in.get());
            KeyKind kind = KeyKind.fromCode(code);
            if (kind == null) {
                throw new IllegalArgumentException("unknown key kind code " + code);
            }
            int a = in.getInt();
            if (!kind.isPairwise()) {
                return single(kind, a);
            }
            int b = in.getInt();
            if (a >= b) {
                throw new IllegalArgumentException("a pair's ids must be encoded smaller first and differ");
            }
            return pair(kind, a, b);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated key id");
        }
    }

    /** Decodes exactly one key id: trailing bytes are refused. */
    public static KeyId decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        KeyId id = decodeFrom(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes after key id");
        }
        return id;
    }

    /**
     * Parses the canonical text.
     *
     * @throws IllegalArgumentException if text is not exactly a canonical key id
     */
    public static KeyId parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a key id: " + quote(text));
        }
        KeyKind kind = KeyKind.fromPrefix(text.substring(0, colon));
        if (kind == null) {
            throw new IllegalArgumentException("unknown key kind in " + quote(text));
        }
        String ids = text.substring(colon + 1);
        if (!kind.isPairwise()) {
            return single(kind, parseId(ids, text));
        }
        int dash = ids.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("a " + kind.prefix() + " key id has two ids: " + quote(text));
        }
        int a = parseId(ids.substring(0, dash), text);
        int b = parseId(ids.substring(dash + 1), text);
        if (a >= b) {
            throw new IllegalArgumentException("a pair is written smaller id first, and its ids differ: " + quote(text));
        }
        return pair(kind, a, b);
    }

    private static int parseId(String digits, String text) {
        boolean canonical = !digits.isEmpty() && digits.length() <= 10
                && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                && (digits.length() == 1 || digits.charAt(0) != '0');
        if (canonical) {
            long value = Long.parseLong(digits);
            if (value <= Integer.MAX_VALUE) {
                return (int) value;
            }
        }
        throw new IllegalArgumentException("bad id in key id " + quote(text));
    }

    private static String quote(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return '"' + shown + '"';
    }

    @Override
    public int compareTo(KeyId o) {
        int c = Integer.compare(kind.ordinal(), o.kind.ordinal());
        if (c == 0) {
            c = Integer.compare(first, o.first);
        }
        if (c == 0) {
            c = Integer.compare(second, o.second);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyId other && kind == other.kind && first == other.first && second == other.second;
    }

    @Override
    public int hashCode() {
        return (kind.ordinal() * 31 + first) * 31 + second;
    }

    /** The canonical text. */
    @Override
    public String toString() {
        return kind.isPairwise() ? kind.prefix() + ':' + first + '-' + second : kind.prefix() + ':' + first;
    }
}
