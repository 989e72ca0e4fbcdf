package chainkm.protocol.keys;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-128-CCM (NIST SP 800-38C, RFC 3610) on the JDK's AES block cipher: CBC-MAC for the tag,
 * CTR mode for the payload, both on "AES/ECB/NoPadding".
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

    private static final int BLOCK = 16;
    /** L, the size of the length field: 15 - nonce size. */
    private static final int L = 15 - NONCE_SIZE;
    private static final int ADATA_FLAG = 0x40;

    private static final byte[] NO_AAD = new byte[0];

    private AesCcm() {}

    /**
     * Encrypts and authenticates plaintext, and authenticates aad (null means none).
     *
     * @return the ciphertext followed by the {@value #TAG_SIZE}-byte tag
     * @throws IllegalArgumentException on a wrong key or nonce size or a too long plaintext
     */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        return seal(key, nonce, aad, plaintext, TAG_SIZE);
    }

    /** {@link #seal} with another tag size (4..16, even), for the standards' test vectors. */
    static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int tagSize) {
        checkParameters(key, nonce, tagSize);
        if (plaintext.length > MAX_PLAINTEXT_SIZE) {
            throw new IllegalArgumentException("AES-CCM with a " + NONCE_SIZE + "-byte nonce seals at most "
                    + MAX_PLAINTEXT_SIZE + " bytes, not " + plaintext.length);
        }
        byte[] associated = aad == null ? NO_AAD : aad;
        byte[] mac = null;
        byte[] stream = null;
        try {
            Cipher aes = newAes(key);
            mac = cbcMac(aes, nonce, associated, plaintext, tagSize);
            stream = keyStream(aes, nonce, plaintext.length);
            byte[] out = new byte[plaintext.length + tagSize];
            for (int i = 0; i < plaintext.length; i++) {
                out[i] = (byte) (plaintext[i] ^ stream[BLOCK + i]);
            }
            for (int j = 0; j < tagSize; j++) {
                out[plaintext.length + j] = (byte) (mac[j] ^ stream[j]);
            }
            return out;
        } catch (GeneralSecurityException e) {
            // cannot happen with checked parameters on a Java platform (AES is mandatory)
            throw new IllegalStateException("AES-CCM encryption failed unexpectedly");
        } finally {
            wipe(mac);
            wipe(stream);
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
        return open(key, nonce, aad, ciphertext, TAG_SIZE);
    }

    /** {@link #open} with another tag size (4..16, even), for the standards' test vectors. */
    static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext, int tagSize)
            throws AuthenticationException {
        checkParameters(key, nonce, tagSize);
        if (ciphertext.length < tagSize) {
            throw new AuthenticationException("AES-CCM ciphertext is shorter than its tag");
        }
        if (ciphertext.length > MAX_PLAINTEXT_SIZE + tagSize) {
            throw new AuthenticationException("AES-CCM ciphertext is longer than any message it can carry");
        }
        byte[] associated = aad == null ? NO_AAD : aad;
        int n = ciphertext.length - tagSize;
        byte[] mac = null;
        byte[] stream = null;
        byte[] expected = new byte[tagSize];
        try {
            Cipher aes = newAes(key);
            stream = keyStream(aes, nonce, n);
            byte[] plaintext = new byte[n];
            for (int i = 0; i < n; i++) {
                plaintext[i] = (byte) (ciphertext[i] ^ stream[BLOCK + i]);
            }
            mac = cbcMac(aes, nonce, associated, plaintext, tagSize);
            for (int j = 0; j < tagSize; j++) {
                expected[j] = (byte) (mac[j] ^ stream[j]);
            }
            // constant time: the comparison does not say how many tag bytes were right
            if (MessageDigest.isEqual(expected, Arrays.copyOfRange(ciphertext, n, ciphertext.length))) {
                return plaintext;
            }
            wipe(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CCM decryption failed unexpectedly");
        } finally {
            wipe(mac);
            wipe(stream);
            wipe(expected);
        }
        throw new AuthenticationException("AES-CCM authentication failed");
    }

    /**
     * T, the CBC-MAC of SP 800-38C A.2 (B0, the encoded aad padded to blocks, the payload padded to
     * blocks) under a zero IV: all 16 bytes of the last block; the tag is its first tagSize bytes.
     */
    private static byte[] cbcMac(Cipher aes, byte[] nonce, byte[] aad, byte[] payload, int tagSize)
            throws GeneralSecurityException {
        CbcMac mac = new CbcMac(aes);
        byte[] b0 = new byte[BLOCK];
        // A.2.1, the flags: Adata in bit 6, (t - 2) / 2 in bits 3..5, q - 1 in bits 0..2
        b0[0] = (byte) ((aad.length > 0 ? ADATA_FLAG : 0) | ((tagSize - 2) / 2) << 3 | (L - 1));
        System.arraycopy(nonce, 0, b0, 1, NONCE_SIZE);
        b0[14] = (byte) (payload.length >>> 8);
        b0[15] = (byte) payload.length;
        mac.absorb(b0, 0, BLOCK);
        if (aad.length > 0) {
            // A.2.2: the length of the associated data, in 2 bytes below 2^16 - 2^8, else 0xfffe and 4 bytes
            byte[] header = aad.length < 0xFF00
                    ? new byte[] {(byte) (aad.length >>> 8), (byte) aad.length}
                    : new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) (aad.length >>> 24), (byte) (aad.length >>> 16),
                            (byte) (aad.length >>> 8), (byte) aad.length};
            mac.absorb(header, 0, header.length);
            mac.absorb(aad, 0, aad.length);
            mac.padBlock();
        }
        mac.absorb(payload, 0, payload.length);
        mac.padBlock();
        return mac.y;
    }

    /**
     * S0 || S1 || ... || Sm: AES of the counter blocks Ctr_i = flags (q - 1) || N || [i]_q for
     * i = 0..m, m = the number of payload blocks. S0 masks the tag, S1.. the payload.
     */
    private static byte[] keyStream(Cipher aes, byte[] nonce, int payloadLength) throws GeneralSecurityException {
        int blocks = 1 + (payloadLength + BLOCK - 1) / BLOCK;
        byte[] counters = new byte[blocks * BLOCK];
        for (int i = 0; i < blocks; i++) {
            int at = i * BLOCK;
            counters[at] = (byte) (L - 1);
            System.arraycopy(nonce, 0, counters, at + 1, NONCE_SIZE);
            counters[at + 14] = (byte) (i >>> 8);
            counters[at + 15] = (byte) i;
        }
        return aes.doFinal(counters);
    }

    /** CBC-MAC with a zero IV: input is XORed into the chaining value Y, which is enciphered at each full block. */
    private static final class CbcMac {
        private final Cipher aes;
        private final byte[] y = new byte[BLOCK];
        private int filled;

        CbcMac(Cipher aes) {
            this.aes = aes;
        }

        void absorb(byte[] data, int offset, int length) throws GeneralSecurityException {
            for (int i = offset; i < offset + length; i++) {
                y[filled++] ^= data[i];
                if (filled == BLOCK) {
                    encipher();
                }
            }
        }

        /** Ends the current block with zero bytes (which leave Y as it is) and enciphers it. */
        void padBlock() throws GeneralSecurityException {
            if (filled > 0) {
                encipher();
            }
        }

        private void encipher() throws GeneralSecurityException {
            if (aes.update(y, 0, BLOCK, y, 0) != BLOCK) {
                throw new GeneralSecurityException("AES-ECB returned a short block");
            }
            filled = 0;
        }
    }

    private static Cipher newAes(byte[] key) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return aes;
    }

    private static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static void checkParameters(byte[] key, byte[] nonce, int tagSize) {
        if (tagSize < 4 || tagSize > BLOCK || tagSize % 2 != 0) {
            throw new IllegalArgumentException("an AES-CCM tag is 4, 6, ..., 16 bytes");
        }
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("an AES-CCM key is " + KEY_SIZE + " bytes");
        }
        if (nonce == null || nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("an AES-CCM nonce is " + NONCE_SIZE + " bytes");
        }
    }
}
