package chainkm.protocol.keys;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A second, deliberately naive AES-CCM written straight from NIST SP 800-38C (appendix A
 * formatting) on top of the JDK's AES-ECB, to cross-check {@link AesCcm}. Only the
 * parameters chainkm uses: 13-byte nonce (q = 2), 8-byte tag, associated data shorter than
 * 2^16 - 2^8 bytes.
 */
final class ReferenceCcm {
    private static final int Q = 2;
    private static final int T = 8;

    private ReferenceCcm() {}

    static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));

        // B0: flags || N || Q
        byte[] b0 = new byte[16];
        int flags = (aad.length > 0 ? 0x40 : 0) | (((T - 2) / 2) << 3) | (Q - 1);
        b0[0] = (byte) flags;
        System.arraycopy(nonce, 0, b0, 1, 13);
        b0[14] = (byte) (plaintext.length >>> 8);
        b0[15] = (byte) plaintext.length;

        ByteArrayOutputStream blocks = new ByteArrayOutputStream();
        blocks.writeBytes(b0);
        if (aad.length > 0) {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            a.write(aad.length >>> 8);
            a.write(aad.length);
            a.writeBytes(aad);
            blocks.writeBytes(padded(a.toByteArray()));
        }
        blocks.writeBytes(padded(plaintext));

        // CBC-MAC with a zero IV
        byte[] all = blocks.toByteArray();
        byte[] y = new byte[16];
        for (int i = 0; i < all.length; i += 16) {
            byte[] x = new byte[16];
            for (int j = 0; j < 16; j++) {
                x[j] = (byte) (y[j] ^ all[i + j]);
            }
            y = aes.doFinal(x);
        }

        // CTR: Ctr_i = (q - 1) || N || [i]_q
        byte[] out = new byte[plaintext.length + T];
        int blockCount = (plaintext.length + 15) / 16;
        for (int i = 0; i <= blockCount; i++) {
            byte[] ctr = new byte[16];
            ctr[0] = (byte) (Q - 1);
            System.arraycopy(nonce, 0, ctr, 1, 13);
            ctr[14] = (byte) (i >>> 8);
            ctr[15] = (byte) i;
            byte[] s = aes.doFinal(ctr);
            if (i == 0) {
                for (int j = 0; j < T; j++) {
                    out[plaintext.length + j] = (byte) (y[j] ^ s[j]);
                }
            } else {
                for (int j = 0; j < 16 && (i - 1) * 16 + j < plaintext.length; j++) {
                    int k = (i - 1) * 16 + j;
                    out[k] = (byte) (plaintext[k] ^ s[j]);
                }
            }
        }
        return out;
    }

    private static byte[] padded(byte[] data) {
        byte[] out = new byte[(data.length + 15) / 16 * 16];
        System.arraycopy(data, 0, out, 0, data.length);
        return out;
    }
}
