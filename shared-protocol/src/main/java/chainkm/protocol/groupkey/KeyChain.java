package chainkm.protocol.groupkey;

import chainkm.protocol.keys.Kdf;
import java.nio.ByteBuffer;

/**
 * The one-way chain of an epoch and the session keys it yields. An epoch starts at session a
 * with 16 random bytes f_a; within it
 * <pre>
 *   f_{j+1} = HKDF-SHA256(ikm = f_j, salt = none, info = "chainkm/v1/group/chain" || u64(j+1) || G, 16)
 *   K_j     = HKDF-SHA256(ikm = f_j, salt = none, info = "chainkm/v1/group/key"   || u64(j)   || G, 16)
 * </pre>
 * Whoever holds f_x computes f_j and K_j for every later j of the same epoch, and nothing
 * before x (HKDF is one-way). Each step's info names its session and group, so one step
 * function is never used twice and inverting one value helps with no other.
 */
public final class KeyChain {
    /** Chain values and session keys are 16 bytes: K_j is an AES-CCM-16-64-128 key (COSE algorithm 10). */
    public static final int VALUE_SIZE = 16;
    public static final int KEY_SIZE = 16;

    static final String CHAIN_LABEL = "chainkm/v1/group/chain";
    static final String KEY_LABEL = "chainkm/v1/group/key";

    private KeyChain() {}

    /** f_{session}, from f_{session - 1} of the same epoch. */
    public static byte[] next(byte[] previous, long session, String group) {
        return Kdf.derive(check(previous), null, info(CHAIN_LABEL, session, group), VALUE_SIZE);
    }

    /** f_to from f_from (from ≤ to, same epoch). */
    public static byte[] walk(byte[] value, long from, long to, String group) {
        if (to < from) {
            throw new IllegalArgumentException("a chain goes forward only");
        }
        byte[] f = check(value).clone();
        for (long j = from + 1; j <= to; j++) {
            f = next(f, j, group);
        }
        return f;
    }

    /** K_session from f_session. */
    public static byte[] sessionKey(byte[] value, long session, String group) {
        return Kdf.derive(check(value), null, info(KEY_LABEL, session, group), KEY_SIZE);
    }

    private static byte[] info(String label, long session, String group) {
        return ByteBuffer.allocate(label.length() + 8 + group.length())
                .put(PersonalSecret.ascii(label)).putLong(session).put(PersonalSecret.ascii(group)).array();
    }

    private static byte[] check(byte[] value) {
        PersonalSecret.check(value, VALUE_SIZE, "a chain value");
        return value;
    }
}
