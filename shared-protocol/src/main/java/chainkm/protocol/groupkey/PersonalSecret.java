package chainkm.protocol.groupkey;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.Kdf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A member's personal secret S_i (IoTChain II-E) and the two keys a broadcast uses from it.
 * <pre>
 *   S_m   = HKDF-SHA256(ikm = group master secret, salt = none, info = "chainkm/v1/group/member" || cti, 32)
 *   W_m   = HKDF-SHA256(ikm = S_m, salt = none,  info = "chainkm/v1/group/wrap" || G, 16)        the entry's AES-CCM key
 *   tag   = HKDF-SHA256(ikm = S_m, salt = nonce, info = "chainkm/v1/group/tag" || u64(r) || G, 8) finds the entry in B_r
 * </pre>
 * G is the group name in ASCII, u64 a big-endian 8-byte integer. The key server computes S_m
 * from the group's master secret and the token's cti alone: nothing per member is stored.
 */
public final class PersonalSecret {
    public static final int SIZE = 32;
    public static final int MASTER_SIZE = 32;
    public static final int CTI_SIZE = 16;
    public static final int TAG_SIZE = 8;

    static final String MEMBER_LABEL = "chainkm/v1/group/member";
    static final String WRAP_LABEL = "chainkm/v1/group/wrap";
    static final String TAG_LABEL = "chainkm/v1/group/tag";

    private PersonalSecret() {}

    /** S_m, the personal secret of the member whose token has this cti. */
    public static byte[] derive(byte[] masterSecret, byte[] cti) {
        check(masterSecret, MASTER_SIZE, "a group master secret");
        check(cti, CTI_SIZE, "a cti");
        return Kdf.derive(masterSecret, null, concat(ascii(MEMBER_LABEL), cti), SIZE);
    }

    /** W_m, the AES-CCM key of this member's entries in the broadcasts of group G. */
    static byte[] wrapKey(byte[] secret, String group) {
        check(secret, SIZE, "a personal secret");
        return Kdf.derive(secret, null, concat(ascii(WRAP_LABEL), ascii(group)), AesCcm.KEY_SIZE);
    }

    /** The tag of this member's entry in broadcast B_r (nonce: the broadcast's). */
    static byte[] tag(byte[] secret, String group, long session, byte[] nonce) {
        check(secret, SIZE, "a personal secret");
        byte[] info = ByteBuffer.allocate(TAG_LABEL.length() + 8 + group.length())
                .put(ascii(TAG_LABEL)).putLong(session).put(ascii(group)).array();
        return Kdf.derive(secret, nonce, info, TAG_SIZE);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void check(byte[] value, int size, String what) {
        if (value == null || value.length != size) {
            throw new IllegalArgumentException(what + " is " + size + " bytes");
        }
    }
}
