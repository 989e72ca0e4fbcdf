package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Cosignatures;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The deletion (revocation) of a token ({@code chainkm/v1/authz/token-delete}). Body, a CBOR map
 * {@code {1: cti (bstr 16), 2: signer (bstr 32)}}; the envelope's second item is either
 * <ul>
 *   <li>the signer's Ed25519 signature (bstr 64): the token's client or the policy's owner, or</li>
 *   <li>gateways' co-signatures {@code [+ [gateway id, signature]]} over the same message, body
 *       without field 2: the ledger wants more than two thirds of the consortium (the
 *       transaction's signer counting as one), never one gateway alone.</li>
 * </ul>
 */
public final class TokenDeletion {
    public static final String LABEL = "chainkm/v1/authz/token-delete";

    private final byte[] cti;
    private final byte[] signer;
    private final byte[] signature;
    private final List<Cosignatures.Cosignature> cosignatures;
    private final byte[] body;

    private TokenDeletion(byte[] cti, byte[] signer, byte[] signature, List<Cosignatures.Cosignature> cosignatures,
                          byte[] body) {
        this.cti = cti;
        this.signer = signer;
        this.signature = signature;
        this.cosignatures = cosignatures;
        this.body = body;
    }

    /** A deletion signed by the token's client or the policy's owner. */
    public static TokenDeletion sign(Ed25519.KeyPair signer, byte[] cti) {
        byte[] body = Cbor.encode(CBORObject.NewMap().Add(1, checkCti(cti)).Add(2, signer.publicKey()));
        return new TokenDeletion(cti.clone(), signer.publicKey(), Signed.sign(LABEL, body, signer), null, body);
    }

    /** What gateways co-sign to delete token {@code cti} together. */
    public static byte[] cosignedMessage(byte[] cti) {
        return Signed.message(LABEL, Cbor.encode(CBORObject.NewMap().Add(1, checkCti(cti))));
    }

    /** A deletion by gateways. */
    public static TokenDeletion cosigned(byte[] cti, List<Cosignatures.Cosignature> cosignatures) {
        if (cosignatures.isEmpty() || cosignatures.size() > 255) {
            throw new IllegalArgumentException("1 to 255 co-signatures");
        }
        byte[] body = Cbor.encode(CBORObject.NewMap().Add(1, checkCti(cti)));
        return new TokenDeletion(cti.clone(), null, null, List.copyOf(cosignatures), body);
    }

    private static byte[] checkCti(byte[] cti) {
        if (cti == null || cti.length != TokenRequest.CTI_SIZE) {
            throw new IllegalArgumentException("a cti is " + TokenRequest.CTI_SIZE + " bytes");
        }
        return cti;
    }

    public byte[] encode() {
        if (signature != null) {
            return Signed.encode(body, signature);
        }
        CBORObject a = CBORObject.NewArray();
        cosignatures.forEach(c -> a.Add(CBORObject.NewArray().Add(c.gatewayId()).Add(c.signature())));
        return Signed.encode(body, a);
    }

    public static TokenDeletion decode(byte[] bytes) throws AuthzFormatException {
        Signed s = Signed.decode(bytes, "token deletion");
        Cbor.Fields f = new Cbor.Fields(s.bodyCbor("token deletion"), "token deletion", Set.of(1, 2));
        byte[] cti = f.bytes(1, TokenRequest.CTI_SIZE);
        if (s.signature().getType() == CBORType.ByteString) {
            if (!f.has(2)) {
                throw new AuthzFormatException("token deletion: a signed deletion names its signer (2)");
            }
            return new TokenDeletion(cti, f.bytes(2, Ed25519.PUBLIC_KEY_SIZE), s.signatureBytes("token deletion"),
                    null, s.body());
        }
        if (f.has(2)) {
            throw new AuthzFormatException("token deletion: a co-signed deletion names no signer");
        }
        List<Cosignatures.Cosignature> cosigs = new ArrayList<>();
        for (CBORObject c : Cbor.array(s.signature(), 1, 255, "token deletion co-signatures")) {
            List<CBORObject> pair = Cbor.array(c, 2, 2, "token deletion co-signature");
            long id = Cbor.uint(pair.get(0), "co-signer id");
            if (id > 0xFFFF) {
                throw new AuthzFormatException("token deletion: gateway id " + id + " does not fit in 16 bits");
            }
            cosigs.add(new Cosignatures.Cosignature((int) id,
                    Cbor.bytes(pair.get(1), Ed25519.SIGNATURE_SIZE, "co-signature")));
        }
        return new TokenDeletion(cti, null, null, List.copyOf(cosigs), s.body());
    }

    public byte[] cti() {
        return cti.clone();
    }

    /** True for a deletion by gateways' co-signatures. */
    public boolean cosigned() {
        return cosignatures != null;
    }

    /** The signer's key (null when co-signed). */
    public byte[] signer() {
        return signer == null ? null : signer.clone();
    }

    /** True when the named signer signed it (false for a co-signed deletion). */
    public boolean verifies() {
        return signature != null && Signed.verify(LABEL, body, signer, signature);
    }

    /** The co-signatures (empty for a signed deletion); they sign {@link #cosignedMessage(byte[])}. */
    public List<Cosignatures.Cosignature> cosignatures() {
        return cosignatures == null ? List.of() : cosignatures;
    }
}
