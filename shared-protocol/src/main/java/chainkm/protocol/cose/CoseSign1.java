package chainkm.protocol.cose;

import chainkm.protocol.crypto.Ed25519;
import java.security.SignatureException;

/**
 * COSE_Sign1 (RFC 9052 section 4.2) with EdDSA over Ed25519 (RFC 9053 section 2.2, alg -8), the
 * one signature chainkm uses in COSE:
 * <pre>
 *   COSE_Sign1 = [ protected: bstr .cbor {1: -8 (, 3: content type)},
 *                  unprotected: {? 4: kid},
 *                  payload: bstr,
 *                  signature: bstr (64 bytes) ]                  CBOR tag 18 when tagged
 *   signed bytes = Sig_structure = ["Signature1", protected, external_aad, payload]
 * </pre>
 * Signing and verification are {@link Ed25519}'s (the JDK's on devices). Ed25519 is
 * deterministic: a key signs the same message with the same bytes everywhere.
 *
 * <p>Decoding is strict, as {@link CoseEncrypt0}'s: deterministic CBOR, tag 18 or none, alg -8
 * and only in the protected bucket, content type only protected, kid only unprotected, no other
 * header, an attached payload (no detached content), a 64-byte signature, nothing after it.
 */
public final class CoseSign1 {
    /** CBOR tag of a tagged COSE_Sign1. */
    public static final int TAG = 18;
    /** CoAP Content-Format of application/cose; cose-type="cose-sign1". */
    public static final int CONTENT_FORMAT = 18;
    /** EdDSA in the COSE Algorithms registry (with an OKP Ed25519 key). */
    public static final long EDDSA = -8;
    /** Room for a largest COSE_Encrypt0 as payload, and the signature around it. */
    public static final int MAX_SIZE = CoseEncrypt0.MAX_SIZE + 1024;

    private static final String CONTEXT = "Signature1";
    private static final String WHAT = "COSE_Sign1";

    private final byte[] protectedBytes;
    private final CoseHeaders protectedHeaders;
    private final CoseHeaders unprotectedHeaders;
    private final byte[] payload;
    private final byte[] signature;

    private CoseSign1(byte[] protectedBytes, CoseHeaders protectedHeaders, CoseHeaders unprotectedHeaders,
                      byte[] payload, byte[] signature) {
        this.protectedBytes = protectedBytes;
        this.protectedHeaders = protectedHeaders;
        this.unprotectedHeaders = unprotectedHeaders;
        this.payload = payload;
        this.signature = signature;
    }

    /**
     * Signs payload with key.
     *
     * @param contentType the payload's CoAP Content-Format (protected), or null
     * @param kid a key id for the unprotected bucket, or null
     * @param externalAad data the signature covers but the message does not carry, or null
     */
    public static CoseSign1 sign(Ed25519.KeyPair key, Integer contentType, byte[] kid, byte[] externalAad,
                                 byte[] payload) {
        CoseHeaders p = CoseHeaders.EMPTY.withAlg(EDDSA);
        if (contentType != null) {
            p = p.withContentType(contentType);
        }
        CoseHeaders u = kid == null ? CoseHeaders.EMPTY : CoseHeaders.EMPTY.withKid(kid);
        byte[] protectedBytes = p.encodeProtected();
        byte[] toBeSigned = sigStructure(protectedBytes, externalAad, payload);
        byte[] sig = key.sign(toBeSigned, 0, toBeSigned.length);
        return new CoseSign1(protectedBytes, p, u, payload.clone(), sig);
    }

    /**
     * Checks the signature under an Ed25519 public key and the same external_aad the signer used.
     *
     * @return the payload, only when the signature verifies
     * @throws SignatureException when it does not: another key, another external_aad, or a
     *         changed protected header, payload or signature
     */
    public byte[] verify(byte[] publicKey, byte[] externalAad) throws SignatureException {
        byte[] toBeVerified = sigStructure(protectedBytes, externalAad, payload);
        if (!Ed25519.verify(publicKey, toBeVerified, 0, toBeVerified.length, signature)) {
            throw new SignatureException(WHAT + ": the EdDSA signature does not verify under the given key");
        }
        return payload.clone();
    }

    /** Sig_structure = ["Signature1", body_protected, external_aad, payload] (RFC 9052 section 4.4): the signed bytes. */
    public static byte[] sigStructure(byte[] bodyProtected, byte[] externalAad, byte[] payload) {
        return new CborWriter().array(4).text(CONTEXT).bytes(bodyProtected)
                .bytes(externalAad == null ? new byte[0] : externalAad).bytes(payload).toByteArray();
    }

    /** The untagged form. */
    public byte[] encode() {
        return write(false);
    }

    /** The tagged form: CBOR tag 18, then the message. */
    public byte[] encodeTagged() {
        return write(true);
    }

    private byte[] write(boolean tagged) {
        CborWriter w = CoseEnvelope.start(tagged, TAG, 4).bytes(protectedBytes);
        unprotectedHeaders.writeTo(w);
        return w.bytes(payload).bytes(signature).toByteArray();
    }

    /** Decodes the tagged or the untagged form, strictly (see the class comment). */
    public static CoseSign1 decode(byte[] bytes) throws CoseFormatException {
        CborReader r = CoseEnvelope.open(bytes, TAG, 4, MAX_SIZE, WHAT);
        byte[] protectedBytes = r.bytes("the protected header");
        CoseHeaders p = CoseHeaders.decodeProtected(protectedBytes, WHAT);
        CoseHeaders u = CoseHeaders.read(r, "the unprotected header");
        if (r.peekType() != CborReader.BYTES) {
            throw r.error("the payload is not a byte string (detached payloads are not accepted)");
        }
        byte[] payload = r.bytes("the payload");
        byte[] sig = r.bytes("the signature");
        r.expectEnd();
        if (p.alg() == null) {
            throw new CoseFormatException(WHAT + ": no alg in the protected header"
                    + (u.alg() != null ? " (an unprotected alg is not accepted)" : ""));
        }
        if (p.alg() != EDDSA) {
            throw new CoseFormatException(WHAT + ": alg " + p.alg() + " is not EdDSA (-8)");
        }
        if (p.kid() != null || p.iv() != null || p.partialIv() != null) {
            throw new CoseFormatException(WHAT + ": the protected header holds only alg and content type");
        }
        if (u.alg() != null || u.contentType() != null || u.iv() != null || u.partialIv() != null) {
            throw new CoseFormatException(WHAT + ": the unprotected header holds only a kid");
        }
        if (sig.length != Ed25519.SIGNATURE_SIZE) {
            throw new CoseFormatException(WHAT + ": signature of " + sig.length + " bytes, "
                    + Ed25519.SIGNATURE_SIZE + " expected");
        }
        return new CoseSign1(protectedBytes, p, u, payload, sig);
    }

    public byte[] protectedBytes() {
        return protectedBytes.clone();
    }

    public CoseHeaders protectedHeaders() {
        return protectedHeaders;
    }

    public CoseHeaders unprotectedHeaders() {
        return unprotectedHeaders;
    }

    /** The payload as carried, not yet verified: use {@link #verify} before trusting it. */
    public byte[] unverifiedPayload() {
        return payload.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public String toString() {
        return "COSE_Sign1[alg=" + protectedHeaders.alg() + ", payload " + payload.length + " bytes]";
    }
}
