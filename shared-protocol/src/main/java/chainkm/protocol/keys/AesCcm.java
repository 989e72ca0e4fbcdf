package chainkm.protocol.keys;

import java.util.Arrays;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-128-CCM (NIST SP 800-38C, RFC 3610) through Bouncy Castle's lightweight API.
 *
 * <p>Parameters are fixed for the whole protocol: 16-byte keys, 13-byte nonces (so the length
 * field is L = 2 bytes and a message holds at most {@value #MAX_PLAINTEXT_SIZE} bytes) and an
 * 8-byte tag, the choice CoAP makes for its CCM suites (RFC 7252's TLS_PSK_WITH_AES_128_CCM_8;
 * RFC 8152's AES-CCM-16-64-128). Ciphertext is {@code encrypted payload || tag}, so it is
 * {@value #TAG_SIZE} bytes longer than the plaintext.
 *
 * <p>A (key, nonce) pair must never be used twice: callers own nonce uniqueness (a persistent
 * counter for D2D traffic, a fresh random nonce for the key store file).
 */
public final class AesCcm {
    public static final int KEY_SIZE = 16;
    public static final int NONCE_SIZE = 13;
    public static final int TAG_SIZE = 8;
    /** With a 13-byte nonce CCM encodes the message length in 2 bytes. */
    public static final int MAX_PLAINTEXT_SIZE = 0xFFFF;

    private static final byte[] NO_AAD = new byte[0];

    private AesCcm() {}

    /**
     * Encrypts and authenticates plaintext, and authenticates aad (null means none).
     *
     * @return the ciphertext followed by the {@value #TAG_SIZE}-byte tag
     * @throws IllegalArgumentException on a wrong key or nonce size or a too long plaintext
     */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        checkParameters(key, nonce);
        if (plaintext.length > MAX_PLAINTEXT_SIZE) {
            throw new IllegalArgumentException("AES-CCM with a " + NONCE_SIZE + "-byte nonce seals at most "
                    + MAX_PLAINTEXT_SIZE + " bytes, not " + plaintext.length);
        }
        CCMModeCipher cipher = newCipher(true, key, nonce, aad);
        try {
            return run(cipher, plaintext);
        } catch (InvalidCipherTextException | RuntimeException e) {
            // cannot happen with checked parameters; do not pass Bouncy Castle's exception on
            throw new IllegalStateException("AES-CCM encryption failed unexpectedly");
        }
    }

    /**
     * Checks and decrypts what {@link #seal} produced.
     *
     * @return the plaintext, only if the tag verifies under this key, nonce and aad
     * @throws AuthenticationException if the ciphertext is truncated or was modified, or if the
     *         key, nonce or aad differ from those used to seal it
     * @throws IllegalArgumentException on a wrong key or nonce size
     */
    public static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
            throws AuthenticationException {
        checkParameters(key, nonce);
        if (ciphertext.length < TAG_SIZE) {
            throw new AuthenticationException("AES-CCM ciphertext is shorter than its tag");
        }
        if (ciphertext.length > MAX_PLAINTEXT_SIZE + TAG_SIZE) {
            throw new AuthenticationException("AES-CCM ciphertext is longer than any message it can carry");
        }
        CCMModeCipher cipher = newCipher(false, key, nonce, aad);
        try {
            return run(cipher, ciphertext);
        } catch (InvalidCipherTextException | DataLengthException | IllegalStateException e) {
            throw new AuthenticationException("AES-CCM authentication failed");
        }
    }

    /** CCM is a two-pass mode: Bouncy Castle buffers the input and does all the work in doFinal. */
    private static byte[] run(CCMModeCipher cipher, byte[] input) throws InvalidCipherTextException {
        byte[] out = new byte[cipher.getOutputSize(input.length)];
        int n = cipher.processBytes(input, 0, input.length, out, 0);
        n += cipher.doFinal(out, n);
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static void checkParameters(byte[] key, byte[] nonce) {
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("an AES-CCM key is " + KEY_SIZE + " bytes");
        }
        if (nonce == null || nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("an AES-CCM nonce is " + NONCE_SIZE + " bytes");
        }
    }

    private static CCMModeCipher newCipher(boolean encrypt, byte[] key, byte[] nonce, byte[] aad) {
        CCMModeCipher cipher = CCMBlockCipher.newInstance(AESEngine.newInstance());
        byte[] associated = aad == null ? NO_AAD : Arrays.copyOf(aad, aad.length);
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_SIZE * 8, nonce.clone(), associated));
        return cipher;
    }
}
