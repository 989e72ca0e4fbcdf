package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.util.Arrays;
import java.util.Set;

/**
 * The owner's permission for one client to obtain a token under a voucher-mode {@link Policy},
 * signed by the policy's owner ({@code chainkm/v1/authz/voucher}). Body, a CBOR map:
 * <pre>
 *   1 policy id  bstr 32
 *   2 client     bstr 32   the client's Ed25519 public key
 *   3 until      uint      the last block height at which a token request may use it
 * </pre>
 */
public final class Voucher {
    public static final String LABEL = "chainkm/v1/authz/voucher";

    private final byte[] policyId;
    private final byte[] client;
    private final long until;
    private final byte[] body;
    private final byte[] signature;

    private Voucher(byte[] policyId, byte[] client, long until, byte[] body, byte[] signature) {
        this.policyId = policyId;
        this.client = client;
        this.until = until;
        this.body = body;
        this.signature = signature;
    }

    public static Voucher sign(Ed25519.KeyPair owner, byte[] policyId, byte[] client, long until) {
        if (policyId == null || policyId.length != 32 || client == null || client.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("a voucher names a 32-byte policy id and a 32-byte client key");
        }
        if (until < 0) {
            throw new IllegalArgumentException("a voucher's last height is not negative");
        }
        byte[] body = Cbor.encode(CBORObject.NewMap().Add(1, policyId).Add(2, client).Add(3, until));
        return new Voucher(policyId.clone(), client.clone(), until, body, Signed.sign(LABEL, body, owner));
    }

    public byte[] encode() {
        return Signed.encode(body, signature);
    }

    public static Voucher decode(byte[] bytes) throws AuthzFormatException {
        Signed s = Signed.decode(bytes, "voucher");
        Cbor.Fields f = new Cbor.Fields(s.bodyCbor("voucher"), "voucher", Set.of(1, 2, 3));
        return new Voucher(f.bytes(1, 32), f.bytes(2, Ed25519.PUBLIC_KEY_SIZE), f.uint(3), s.body(),
                s.signatureBytes("voucher"));
    }

    /** True when {@code ownerKey} signed this voucher. */
    public boolean verifies(byte[] ownerKey) {
        return Signed.verify(LABEL, body, ownerKey, signature);
    }

    public byte[] policyId() {
        return policyId.clone();
    }

    public byte[] client() {
        return client.clone();
    }

    public long until() {
        return until;
    }

    /** True when this voucher is for {@code policyId} and {@code client}. */
    public boolean isFor(byte[] policyId, byte[] client) {
        return Arrays.equals(this.policyId, policyId) && Arrays.equals(this.client, client);
    }
}
