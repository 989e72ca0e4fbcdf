package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.util.Set;

/**
 * The owner's removal of its policy ({@code chainkm/v1/authz/policy-remove}); body
 * {@code {1: policy id (bstr 32)}}. Tokens already granted under the policy stay until they
 * expire or are deleted. A replay finds no policy: ids are never reused.
 */
public final class PolicyRemoval {
    public static final String LABEL = "chainkm/v1/authz/policy-remove";

    private final byte[] policyId;
    private final byte[] body;
    private final byte[] signature;

    private PolicyRemoval(byte[] policyId, byte[] body, byte[] signature) {
        this.policyId = policyId;
        this.body = body;
        this.signature = signature;
    }

    public static PolicyRemoval sign(Ed25519.KeyPair owner, byte[] policyId) {
        if (policyId == null || policyId.length != 32) {
            throw new IllegalArgumentException("a policy id is 32 bytes");
        }
        byte[] body = Cbor.encode(CBORObject.NewMap().Add(1, policyId));
        return new PolicyRemoval(policyId.clone(), body, Signed.sign(LABEL, body, owner));
    }

    public byte[] encode() {
        return Signed.encode(body, signature);
    }

    public static PolicyRemoval decode(byte[] bytes) throws AuthzFormatException {
        Signed s = Signed.decode(bytes, "policy removal");
        Cbor.Fields f = new Cbor.Fields(s.bodyCbor("policy removal"), "policy removal", Set.of(1));
        return new PolicyRemoval(f.bytes(1, 32), s.body(), s.signatureBytes("policy removal"));
    }

    public boolean verifies(byte[] ownerKey) {
        return Signed.verify(LABEL, body, ownerKey, signature);
    }

    public byte[] policyId() {
        return policyId.clone();
    }
}
