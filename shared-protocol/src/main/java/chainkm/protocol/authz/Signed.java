package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The envelope of a signed statement: a CBOR array {@code [body, signature]}, body a byte
 * string holding the statement's deterministic CBOR (so the signed bytes travel as they were
 * signed, as in COSE_Sign1), signature the 64-byte Ed25519 signature over the statement's label
 * (ASCII) followed by the body bytes.
 */
record Signed(byte[] body, CBORObject signature) {
    static byte[] message(String label, byte[] body) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[l.length + body.length];
        System.arraycopy(l, 0, m, 0, l.length);
        System.arraycopy(body, 0, m, l.length, body.length);
        return m;
    }

    static byte[] sign(String label, byte[] body, Ed25519.KeyPair key) {
        byte[] m = message(label, body);
        return key.sign(m, 0, m.length);
    }

    static boolean verify(String label, byte[] body, byte[] publicKey, byte[] signature) {
        byte[] m = message(label, body);
        return Ed25519.verify(publicKey, m, 0, m.length, signature);
    }

    static byte[] encode(byte[] body, CBORObject signature) {
        return Cbor.encode(CBORObject.NewArray().Add(body).Add(signature));
    }

    static byte[] encode(byte[] body, byte[] signature) {
        return encode(body, CBORObject.FromObject(signature));
    }

    /** Splits an envelope; the body is checked to be deterministic CBOR too. */
    static Signed decode(byte[] bytes, String what) throws AuthzFormatException {
        List<CBORObject> parts = Cbor.array(Cbor.decode(bytes, what), 2, 2, what);
        byte[] body = Cbor.bytes(parts.get(0), -1, what + " body");
        return new Signed(body, parts.get(1));
    }

    CBORObject bodyCbor(String what) throws AuthzFormatException {
        return Cbor.decode(body, what + " body");
    }

    byte[] signatureBytes(String what) throws AuthzFormatException {
        return Cbor.bytes(signature, Ed25519.SIGNATURE_SIZE, what + " signature");
    }
}
