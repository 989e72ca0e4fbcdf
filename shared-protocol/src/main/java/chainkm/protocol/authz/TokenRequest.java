package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.identity.DeviceName;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import com.upokecenter.cbor.CBORObject;

/**
 * A client's request for an access token, signed by the client ({@code chainkm/v1/authz/token-request});
 * a gateway relays it to the ledger unchanged. Body, a CBOR map:
 * <pre>
 *   1 policy id  bstr 32
 *   2 device     tstr      the audience
 *   3 scope      AIF       what the client asks for (within the policy's scope)
 *   4 lifetime   uint      blocks (1 to the policy's max lifetime)
 *   5 nonce      bstr 16
 *   6 client     bstr 32   the client's Ed25519 public key: it signs the request and becomes the token's cnf
 *   7 voucher    bstr      a {@link Voucher} (voucher-mode policies only)
 * </pre>
 * The token's cti is the first 16 bytes of SHA-256("chainkm/v1/authz/cti" || body): a request
 * grants at most one token, ever.
 */
public final class TokenRequest {
    public static final String LABEL = "chainkm/v1/authz/token-request";
    public static final int CTI_SIZE = 16;
    public static final int NONCE_SIZE = 16;
    private static final byte[] CTI_TAG = "chainkm/v1/authz/cti".getBytes(StandardCharsets.US_ASCII);

    private final byte[] policyId;
    private final String device;
    private final Aif scope;
    private final long lifetime;
    private final byte[] nonce;
    private final byte[] client;
    private final byte[] voucher;
    private final byte[] body;
    private final byte[] signature;

    private TokenRequest(byte[] policyId, String device, Aif scope, long lifetime, byte[] nonce, byte[] client,
                         byte[] voucher, byte[] body, byte[] signature) {
        this.policyId = policyId;
        this.device = device;
        this.scope = scope;
        this.lifetime = lifetime;
        this.nonce = nonce;
        this.client = client;
        this.voucher = voucher;
        this.body = body;
        this.signature = signature;
    }

    /** @param voucher the encoded voucher, or null */
    public static TokenRequest sign(Ed25519.KeyPair client, byte[] policyId, String device, Aif scope, long lifetime,
                                    byte[] nonce, byte[] voucher) {
        DeviceName.check(device);
        Objects.requireNonNull(scope, "scope");
        if (policyId == null || policyId.length != 32) {
            throw new IllegalArgumentException("a policy id is 32 bytes");
        }
        if (lifetime < 1) {
            throw new IllegalArgumentException("a token lifetime is at least one block");
        }
        if (nonce == null || nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("a request nonce is " + NONCE_SIZE + " bytes");
        }
        CBORObject m = CBORObject.NewMap().Add(1, policyId).Add(2, device).Add(3, scope.toCbor()).Add(4, lifetime)
                .Add(5, nonce).Add(6, client.publicKey());
        if (voucher != null) {
            m.Add(7, voucher);
        }
        byte[] body = Cbor.encode(m);
        return new TokenRequest(policyId.clone(), device, scope, lifetime, nonce.clone(), client.publicKey(),
                voucher == null ? null : voucher.clone(), body, Signed.sign(LABEL, body, client));
    }

    public byte[] encode() {
        return Signed.encode(body, signature);
    }

    public static TokenRequest decode(byte[] bytes) throws AuthzFormatException {
        Signed s = Signed.decode(bytes, "token request");
        Cbor.Fields f = new Cbor.Fields(s.bodyCbor("token request"), "token request", Set.of(1, 2, 3, 4, 5, 6, 7));
        String device = f.text(2);
        long lifetime = f.uint(4);
        try {
            DeviceName.check(device);
        } catch (IllegalArgumentException e) {
            throw new AuthzFormatException("token request: " + e.getMessage());
        }
        if (lifetime < 1) {
            throw new AuthzFormatException("token request: a lifetime is at least one block");
        }
        return new TokenRequest(f.bytes(1, 32), device, Aif.fromCbor(f.get(3), "token request scope"), lifetime,
                f.bytes(5, NONCE_SIZE), f.bytes(6, Ed25519.PUBLIC_KEY_SIZE), f.has(7) ? f.bytes(7, -1) : null,
                s.body(), s.signatureBytes("token request"));
    }

    /** True when the client named in the request signed it. */
    public boolean verifies() {
        return Signed.verify(LABEL, body, client, signature);
    }

    /** The cti of the token this request grants. */
    public byte[] cti() {
        return Arrays.copyOf(Sha256.hash(CTI_TAG, body), CTI_SIZE);
    }

    /** The token the ledger grants for this request in the block at {@code height}. */
    public AccessToken grant(long height) {
        return new AccessToken(device, scope, height + lifetime, height, cti(), client);
    }

    public byte[] policyId() {
        return policyId.clone();
    }

    public String device() {
        return device;
    }

    public Aif scope() {
        return scope;
    }

    public long lifetime() {
        return lifetime;
    }

    public byte[] client() {
        return client.clone();
    }

    /** The encoded voucher, or null. */
    public byte[] voucher() {
        return voucher == null ? null : voucher.clone();
    }
}
