package chainkm.protocol.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869, on the JDK's HMAC-SHA256) and the paper's key roll-forward K' = KDF(K, r) (kandi2020, III.A.2).
 *
 * <p>{@link #rollForward} is HKDF with salt = the refresh key r, input keying material = the
 * current key K, info = UTF-8 of {@code "chainkm/v1/" + label}, and 16 bytes of output. The
 * label separates keys rolled forward with the same r (for instance the canonical
 * {@link KeyId} string), so that equal keys never result from different ones.
 */
public final class Kdf {
    public static final int KEY_SIZE = 16;
    public static final int REFRESH_KEY_SIZE = 16;
    public static final String LABEL_PREFIX = "chainkm/v1/";
    /** RFC 5869: at most 255 blocks of the hash output. */
    public static final int MAX_OUTPUT = 255 * 32;

    private static final String HMAC = "HmacSHA256";
    private static final int HASH_SIZE = 32;

    private Kdf() {}

    /**
     * K' = HKDF-SHA256(salt = refreshKey, ikm = key, info = "chainkm/v1/" + label, L = 16).
     *
     * @throws IllegalArgumentException if key or refreshKey is not 16 bytes
     */
    public static byte[] rollForward(byte[] key, byte[] refreshKey, String label) {
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a key to roll forward is " + KEY_SIZE + " bytes");
        }
        if (refreshKey == null || refreshKey.length != REFRESH_KEY_SIZE) {
            throw new IllegalArgumentException("a refresh key is " + REFRESH_KEY_SIZE + " bytes");
        }
        Objects.requireNonNull(label, "label");
        return derive(key, refreshKey, LABEL_PREFIX + label, KEY_SIZE);
    }

    /** HKDF-SHA256 with a text info (UTF-8). A null or empty salt means HashLen zero bytes. */
    public static byte[] derive(byte[] ikm, byte[] salt, String info, int length) {
        Objects.requireNonNull(info, "info");
        return derive(ikm, salt, info.getBytes(StandardCharsets.UTF_8), length);
    }

    /** HKDF-SHA256 with a binary info (null means empty). A null or empty salt means HashLen zero bytes. */
    public static byte[] derive(byte[] ikm, byte[] salt, byte[] info, int length) {
        Objects.requireNonNull(ikm, "ikm");
        if (length < 1 || length > MAX_OUTPUT) {
            throw new IllegalArgumentException("HKDF-SHA256 output length must be 1.." + MAX_OUTPUT);
        }
        byte[] prk = null;
        byte[] t = new byte[0];
        try {
            Mac hmac = Mac.getInstance(HMAC);
            // extract: PRK = HMAC(salt, IKM); no salt means HashLen zero bytes
            hmac.init(new SecretKeySpec(salt == null || salt.length == 0 ? new byte[HASH_SIZE] : salt, HMAC));
            prk = hmac.doFinal(ikm);
            // expand: T(i) = HMAC(PRK, T(i-1) || info || i), OKM = the first length bytes of T(1) || T(2) ...
            hmac.init(new SecretKeySpec(prk, HMAC));
            byte[] out = new byte[length];
            for (int i = 1, done = 0; done < length; i++) {
                hmac.update(t);
                if (info != null) {
                    hmac.update(info);
                }
                hmac.update((byte) i);
                Arrays.fill(t, (byte) 0);
                t = hmac.doFinal();
                int n = Math.min(HASH_SIZE, length - done);
                System.arraycopy(t, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HMAC-SHA256: " + e.getClass().getSimpleName());
        } finally {
            if (prk != null) {
                Arrays.fill(prk, (byte) 0);
            }
            Arrays.fill(t, (byte) 0);
        }
    }
}
