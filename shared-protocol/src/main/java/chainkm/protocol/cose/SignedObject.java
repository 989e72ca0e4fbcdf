package chainkm.protocol.cose;

import chainkm.protocol.crypto.Ed25519;
import java.security.SignatureException;

/**
 * A protected object as it travels through a proxy (version 1): its tagged COSE_Encrypt0 as the
 * payload of a tagged COSE_Sign1 made with the device's enrolled Ed25519 identity key:
 * <pre>
 *   18([ h'a201270310'  (protected: {1: -8 EdDSA, 3: 16 = application/cose; cose-type="cose-encrypt0"}),
 *        {},
 *        payload = the ProtectedObject's bytes (16([...])),
 *        signature = Ed25519 over ["Signature1", protected, external_aad, payload] ])
 *   external_aad = the resource's ({@link ProtectedResource#externalAad()})
 * </pre>
 * The proxy checks the signature with the device's public key from the ledger before it caches
 * the object, and clients check it again: a proxy, or a group member that holds K_j, can then
 * neither alter an object nor make one the device did not, and a device cannot pass its object
 * off as another device's or another resource's. No kid: the verifier knows which device it
 * asked for, and the ledger gives that device's key.
 */
public final class SignedObject {
    private static final String WHAT = "signed object";

    private final CoseSign1 message;
    private final ProtectedObject object;

    private SignedObject(CoseSign1 message, ProtectedObject object) {
        this.message = message;
        this.object = object;
    }

    /** Signs object, a reading of resource, with the device's identity key. */
    public static SignedObject sign(ProtectedObject object, ProtectedResource resource, Ed25519.KeyPair deviceKey) {
        CoseSign1 m = CoseSign1.sign(deviceKey, CoseEncrypt0.CONTENT_FORMAT, null, resource.externalAad(),
                object.encode());
        return new SignedObject(m, object);
    }

    /** The tagged COSE_Sign1 (CoAP Content-Format 18). */
    public byte[] encode() {
        return message.encodeTagged();
    }

    /** Decodes the structure; nothing is trusted until {@link #verify}. */
    public static SignedObject decode(byte[] bytes) throws CoseFormatException {
        if (bytes == null || bytes.length == 0 || (bytes[0] & 0xff) != 0xc0 + CoseSign1.TAG) {
            throw new CoseFormatException(WHAT + ": not a tagged COSE_Sign1 (CBOR tag 18)");
        }
        CoseSign1 m = CoseSign1.decode(bytes);
        Integer contentType = m.protectedHeaders().contentType();
        if (contentType == null || contentType != CoseEncrypt0.CONTENT_FORMAT) {
            throw new CoseFormatException(WHAT + ": the protected content type is not " + CoseEncrypt0.CONTENT_FORMAT
                    + " (cose-encrypt0)");
        }
        if (!m.unprotectedHeaders().isEmpty()) {
            throw new CoseFormatException(WHAT + ": the unprotected header is not empty");
        }
        return new SignedObject(m, ProtectedObject.decode(m.unverifiedPayload()));
    }

    /**
     * The protected object, only if the device whose key this is signed it for this resource.
     *
     * @throws SignatureException otherwise (another device, another resource, or any change)
     */
    public ProtectedObject verify(ProtectedResource resource, byte[] devicePublicKey) throws SignatureException {
        message.verify(devicePublicKey, resource.externalAad());
        return object;
    }

    /** The object as a COSE_Sign1. */
    public CoseSign1 message() {
        return message;
    }

    @Override
    public String toString() {
        return "SignedObject[" + object + "]";
    }
}
