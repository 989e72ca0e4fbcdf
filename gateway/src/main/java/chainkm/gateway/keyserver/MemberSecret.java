package chainkm.gateway.keyserver;

import java.util.Arrays;

/**
 * A member's personal secret for a group and the version of the group's keying material it
 * belongs to (RFC 9594's {@code num}). {@link #toString()} never shows the key.
 */
public record MemberSecret(byte[] key, long num) {
    public MemberSecret {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemberSecret m && Arrays.equals(key, m.key) && num == m.num;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(num);
    }

    @Override
    public String toString() {
        return "MemberSecret[num=" + num + " key=(" + key.length + " bytes)]";
    }
}
