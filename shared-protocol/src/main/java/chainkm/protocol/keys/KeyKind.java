package chainkm.protocol.keys;

/**
 * The four kinds of keys of layer 1 (kandi2020, III.A). KEKs protect key delivery between the
 * key manager and devices; DEKs protect device-to-device traffic.
 *
 * <p>The code is the first byte of a {@link KeyId}'s encoding and the prefix its canonical text;
 * the declaration order is the sort order of key ids. Never reorder or renumber.
 */
public enum KeyKind {
    /** KEK between a device and its gateway; id = the node id. */
    NODE_KEY(1, "nk", false, true),
    /** KEK shared by the members of a set and the key manager; id = the set id. */
    SET_KEY(2, "sk", false, true),
    /** DEK between two nodes of the same set; id = the unordered pair of node ids. */
    PAIRWISE_NODE_KEY(3, "pnk", true, false),
    /** DEK shared by all members of two sets; id = the unordered pair of set ids. */
    PAIRWISE_SET_KEY(4, "psk", true, false);

    private final int code;
    private final String prefix;
    private final boolean pairwise;
    private final boolean kek;

    KeyKind(int code, String prefix, boolean pairwise, boolean kek) {
        this.code = code;
        this.prefix = prefix;
        this.pairwise = pairwise;
        this.kek = kek;
    }

    /** The byte that starts the key id's encoding. */
    public int code() {
        return code;
    }

    /** What comes before the colon in the canonical text, e.g. {@code pnk}. */
    public String prefix() {
        return prefix;
    }

    /** True when the id is an unordered pair (two node ids or two set ids). */
    public boolean isPairwise() {
        return pairwise;
    }

    /** True for key encryption keys, false for data encryption keys. */
    public boolean isKek() {
        return kek;
    }

    /** True when the ids are node ids, false when they are set ids. */
    public boolean identifiesNodes() {
        return this == NODE_KEY || this == PAIRWISE_NODE_KEY;
    }

    /** The kind with this code, or null. */
    public static KeyKind fromCode(int code) {
        for (KeyKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        return null;
    }

    /** The kind with this text prefix, or null. */
    public static KeyKind fromPrefix(String prefix) {
        for (KeyKind kind : values()) {
            if (kind.prefix.equals(prefix)) {
                return kind;
            }
        }
        return null;
    }
}
