package chainkm.device.objects;

/**
 * A group session key of one protected resource: the session number j and the 16-byte K_j.
 * The key bytes never appear in {@link #toString()}.
 */
public record SessionKey(long session, byte[] key) {
    public static final int KEY_SIZE = 16;

    public SessionKey {
        if (session < 0) {
            throw new IllegalArgumentException("a session number is not negative");
        }
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a session key is " + KEY_SIZE + " bytes");
        }
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionKey k && k.session == session && java.util.Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(session);
    }

    @Override
    public String toString() {
        return "SessionKey[session=" + session + "]";
    }
}
