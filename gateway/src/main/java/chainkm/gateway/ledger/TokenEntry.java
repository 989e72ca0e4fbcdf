package chainkm.gateway.ledger;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.AuthzFormatException;
import java.nio.ByteBuffer;

/**
 * A granted token as the ledger keeps it: the token (its CWT claims set), the policy it was
 * granted under and that policy's owner (who may delete it even after removing the policy).
 * State file: token length (4), token bytes, policy id (32), owner key (32).
 */
record TokenEntry(AccessToken token, byte[] policyId, byte[] owner) {
    TokenEntry {
        policyId = policyId.clone();
        owner = owner.clone();
    }

    @Override
    public byte[] policyId() {
        return policyId.clone();
    }

    @Override
    public byte[] owner() {
        return owner.clone();
    }

    void encodeTo(StateWriter out) {
        out.putBlob(token.encode());
        out.put(policyId);
        out.put(owner);
    }

    static TokenEntry decodeFrom(ByteBuffer in) {
        byte[] t = new byte[in.getInt()];
        in.get(t);
        byte[] policyId = new byte[32];
        in.get(policyId);
        byte[] owner = new byte[32];
        in.get(owner);
        try {
            return new TokenEntry(AccessToken.decode(t), policyId, owner);
        } catch (AuthzFormatException e) {
            throw new IllegalArgumentException("a token in the state file is malformed: " + e.getMessage());
        }
    }
}
