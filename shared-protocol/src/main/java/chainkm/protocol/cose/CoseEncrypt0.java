package chainkm.protocol.cose;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;

/**
 * COSE_Encrypt0 (RFC 9052 section 5.2) with AES-CCM-16-64-128 (RFC 9053 section 4.2, alg 10:
 * a 16-byte key, a 13-byte nonce, an 8-byte tag), the one content encryption chainkm uses:
 * <pre>
 *   COSE_Encrypt0 = [ protected: bstr .cbor {1: 10 (, 3: content type)},
 *                     unprotected: {? 4: kid, 5: IV (13 bytes) / 6: Partial IV},
 *                     ciphertext: bstr ]                        CBOR tag 16 when tagged
 *   AAD = Enc_structure = ["Encrypt0", protected, external_aad]
 * </pre>
 * The cipher is {@link AesCcm}, on the JDK's AES alone, so devices (which ship without Bouncy
 * Castle) encrypt with it.
 *
 * <p>Decoding is strict: only deterministic CBOR, tag 16 or none, alg 10 and only in the
 * protected bucket, no header but those above (content type protected; kid, IV or Partial IV
 * unprotected), an IV of exactly 13 bytes, a ciphertext at least as long as the tag, nothing
 * after the message. Errors say which rule was broken, never key or plaintext bytes.
 */
public final class CoseEncrypt0 {
    /** CBOR tag of a tagged COSE_Encrypt0. */
    public static final int TAG = 16;
    /** CoAP Content-Format of application/cose; cose-type="cose-encrypt0". */
    public static final int CONTENT_FORMAT = 16;
    /** AES-CCM-16-64-128 in the COSE Algorithms registry. */
    public static final long AES_CCM_16_64_128 = 10;
    public static final int KEY_SIZE = AesCcm.KEY_SIZE;
    public static final int IV_SIZE = AesCcm.NONCE_SIZE;
    public static final int TAG_SIZE = AesCcm.TAG_SIZE;
    /** The largest message decoded: bounds what a proxy or client reads from the network. */
    public static final int MAX_SIZE = 32_768;

    private static final String CONTEXT = "Encrypt0";
    private static final String WHAT = "COSE_Encrypt0";

    private final byte[] protectedBytes;
    private final CoseHeaders protectedHeaders;
    private final CoseHeaders unprotectedHeaders;
    private final byte[] ciphertext;

    private CoseEncrypt0(byte[] protectedBytes, CoseHeaders protectedHeaders, CoseHeaders unprotectedHeaders,
                         byte[] ciphertext) {
        this.protectedBytes = protectedBytes;
        this.protectedHeaders = protectedHeaders;
        this.unprotectedHeaders = unprotectedHeaders;
        this.ciphertext = ciphertext;
    }

    /**
     * Encrypts plaintext under key with the given 13-byte IV, which must never have been used
     * with this key before; kid (may be null) goes in the unprotected bucket.
     *
     * @throws IllegalArgumentException on a wrong key or IV size, or a too long plaintext
     */
    public static CoseEncrypt0 encrypt(byte[] key, byte[] iv, byte[] kid, byte[] externalAad, byte[] plaintext) {
        if (iv == null || iv.length != IV_SIZE) {
            throw new IllegalArgumentException("an AES-CCM-16-64-128 IV is " + IV_SIZE + " bytes");
        }
        CoseHeaders protectedHeaders = CoseHeaders.EMPTY.withAlg(AES_CCM_16_64_128);
        CoseHeaders unprotectedHeaders = kid == null ? CoseHeaders.EMPTY.withIv(iv)
                : CoseHeaders.EMPTY.withKid(kid).withIv(iv);
        byte[] protectedBytes = protectedHeaders.encodeProtected();
        byte[] ct = AesCcm.seal(key, iv, encStructure(protectedBytes, externalAad), plaintext);
        return new CoseEncrypt0(protectedBytes, protectedHeaders, unprotectedHeaders, ct);
    }

    /**
     * Decrypts a message that carries its full IV.
     *
     * @throws AuthenticationException when the tag does not verify: another key, another
     *         external_aad, or a changed protected header, IV or ciphertext
     * @throws CoseFormatException when the message carries a Partial IV instead (see {@link #decrypt(byte[], byte[], byte[])})
     */
    public byte[] decrypt(byte[] key, byte[] externalAad) throws AuthenticationException, CoseFormatException {
        byte[] iv = unprotectedHeaders.iv();
        if (iv == null) {
            throw new CoseFormatException(WHAT + ": carries a Partial IV; its Context IV is needed to decrypt it");
        }
        return AesCcm.open(key, iv, encStructure(protectedBytes, externalAad), ciphertext);
    }

    /**
     * Decrypts a message that carries a Partial IV: the nonce is the Partial IV, left-padded with
     * zeros to 13 bytes, XORed with the 13-byte Context IV (RFC 9052 section 3.1).
     */
    public byte[] decrypt(byte[] key, byte[] contextIv, byte[] externalAad)
            throws AuthenticationException, CoseFormatException {
        byte[] partial = unprotectedHeaders.partialIv();
        if (partial == null) {
            throw new CoseFormatException(WHAT + ": carries no Partial IV");
        }
        if (contextIv == null || contextIv.length != IV_SIZE) {
            throw new IllegalArgumentException("a Context IV for AES-CCM-16-64-128 is " + IV_SIZE + " bytes");
        }
        byte[] iv = contextIv.clone();
        for (int i = 0; i < partial.length; i++) {
            iv[IV_SIZE - partial.length + i] ^= partial[i];
        }
        return AesCcm.open(key, iv, encStructure(protectedBytes, externalAad), ciphertext);
    }

    /** Enc_structure = ["Encrypt0", protected, external_aad] (RFC 9052 section 5.3), the AEAD's associated data. */
    public static byte[] encStructure(byte[] protectedBytes, byte[] externalAad) {
        return new CborWriter().array(3).text(CONTEXT).bytes(protectedBytes)
                .bytes(externalAad == null ? new byte[0] : externalAad).toByteArray();
    }

    /** The untagged form. */
    public byte[] encode() {
        return write(false);
    }

    /** The tagged form: CBOR tag 16, then the message. */
    public byte[] encodeTagged() {
        return write(true);
    }

    private byte[] write(boolean tagged) {
        CborWriter w = CoseEnvelope.start(tagged, TAG, 3).bytes(protectedBytes);
        unprotectedHeaders.writeTo(w);
        return w.bytes(ciphertext).toByteArray();
    }

    /** Decodes the tagged or the untagged form, strictly (see the class comment). */
    public static CoseEncrypt0 decode(byte[] bytes) throws CoseFormatException {
        CborReader r = CoseEnvelope.open(bytes, TAG, 3, MAX_SIZE, WHAT);
        byte[] protectedBytes = r.bytes("the protected header");
        CoseHeaders protectedHeaders = CoseHeaders.decodeProtected(protectedBytes, WHAT);
        CoseHeaders unprotectedHeaders = CoseHeaders.read(r, "the unprotected header");
        byte[] ct = r.bytes("the ciphertext");
        r.expectEnd();
        checkHeaders(protectedHeaders, unprotectedHeaders);
        if (ct.length < TAG_SIZE) {
            throw new CoseFormatException(WHAT + ": ciphertext of " + ct.length + " bytes is shorter than the "
                    + TAG_SIZE + "-byte tag");
        }
        return new CoseEncrypt0(protectedBytes, protectedHeaders, unprotectedHeaders, ct);
    }

    private static void checkHeaders(CoseHeaders p, CoseHeaders u) throws CoseFormatException {
        if (p.alg() == null) {
            throw new CoseFormatException(WHAT + ": no alg in the protected header"
                    + (u.alg() != null ? " (an unprotected alg is not accepted)" : ""));
        }
        if (p.alg() != AES_CCM_16_64_128) {
            throw new CoseFormatException(WHAT + ": alg " + p.alg() + " is not AES-CCM-16-64-128 (10)");
        }
        if (p.kid() != null || p.iv() != null || p.partialIv() != null) {
            throw new CoseFormatException(WHAT + ": kid, IV and Partial IV belong in the unprotected header");
        }
        if (u.alg() != null || u.contentType() != null) {
            throw new CoseFormatException(WHAT + ": alg and content type belong in the protected header");
        }
        byte[] iv = u.iv();
        if (iv == null && u.partialIv() == null) {
            throw new CoseFormatException(WHAT + ": no IV and no Partial IV");
        }
        if (iv != null && iv.length != IV_SIZE) {
            throw new CoseFormatException(WHAT + ": IV of " + iv.length + " bytes, " + IV_SIZE + " expected");
        }
        if (u.partialIv() != null && u.partialIv().length > IV_SIZE) {
            throw new CoseFormatException(WHAT + ": Partial IV longer than " + IV_SIZE + " bytes");
        }
    }

    /** The bytes of the protected bucket, as carried (and as the Enc_structure covers them). */
    public byte[] protectedBytes() {
        return protectedBytes.clone();
    }

    public CoseHeaders protectedHeaders() {
        return protectedHeaders;
    }

    public CoseHeaders unprotectedHeaders() {
        return unprotectedHeaders;
    }

    /** The AES-CCM output: encrypted content then the 8-byte tag. */
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public String toString() {
        return "COSE_Encrypt0[alg=" + protectedHeaders.alg() + ", ciphertext " + ciphertext.length + " bytes]";
    }
}
