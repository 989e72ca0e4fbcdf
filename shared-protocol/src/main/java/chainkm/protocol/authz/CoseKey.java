package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.util.Set;

/**
 * An Ed25519 public key as a COSE_Key (RFC 9052 section 7, RFC 9053 section 7.2): a map with
 * kty (1) = OKP (1), crv (-1) = Ed25519 (6) and x (-2) = the 32-byte public key. Nothing else:
 * a proof-of-possession key in a token needs no kid or alg (the curve fixes EdDSA).
 */
public final class CoseKey {
    static final int KTY = 1;
    static final int CRV = -1;
    static final int X = -2;
    static final int KTY_OKP = 1;
    static final int CRV_ED25519 = 6;

    private CoseKey() {}

    static CBORObject toCbor(byte[] ed25519PublicKey) {
        if (ed25519PublicKey == null || ed25519PublicKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        return CBORObject.NewMap().Add(KTY, KTY_OKP).Add(CRV, CRV_ED25519).Add(X, ed25519PublicKey);
    }

    /** The deterministic CBOR of the COSE_Key for {@code ed25519PublicKey}. */
    public static byte[] encode(byte[] ed25519PublicKey) {
        return Cbor.encode(toCbor(ed25519PublicKey));
    }

    /** The Ed25519 public key of a COSE_Key; any other kind of key is refused. */
    static byte[] fromCbor(CBORObject v, String what) throws AuthzFormatException {
        Cbor.Fields f = new Cbor.Fields(v, what, Set.of(KTY, CRV, X));
        if (f.uint(KTY) != KTY_OKP) {
            throw new AuthzFormatException(what + ": kty is not OKP");
        }
        if (f.uint(CRV) != CRV_ED25519) {
            throw new AuthzFormatException(what + ": crv is not Ed25519");
        }
        return f.bytes(X, Ed25519.PUBLIC_KEY_SIZE);
    }

    public static byte[] decode(byte[] bytes) throws AuthzFormatException {
        return fromCbor(Cbor.decode(bytes, "COSE_Key"), "COSE_Key");
    }
}
