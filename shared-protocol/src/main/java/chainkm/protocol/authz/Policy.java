package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.identity.DeviceName;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A resource owner's access policy for resources of one device, signed by the owner
 * ({@code chainkm/v1/authz/policy}). Body, a CBOR map:
 * <pre>
 *   1 owner         bstr 32   the owner's Ed25519 public key (it signs this policy)
 *   2 device        tstr      the device's name ({@link DeviceName})
 *   3 scope         AIF       the resources and methods a token may grant ({@link Aif})
 *   4 max lifetime  uint      the longest token lifetime, in blocks (1 to {@link #MAX_LIFETIME})
 *   5 clients       [+ bstr 32]  allow-list: the client keys that may obtain a token, sorted, unique
 *   6 voucher       true      or: anyone holding a {@link Voucher} the owner signed for this policy
 *   7 nonce         bstr 16   makes each put a new policy (its id is new, an old put cannot be replayed)
 * </pre>
 * Exactly one of 5 and 6. The policy's id is SHA-256 of the body.
 */
public final class Policy {
    public static final String LABEL = "chainkm/v1/authz/policy";
    public static final long MAX_LIFETIME = 10_000_000L;
    public static final int MAX_CLIENTS = 64;
    public static final int NONCE_SIZE = 16;

    private final byte[] owner;
    private final String device;
    private final Aif scope;
    private final long maxLifetime;
    private final List<byte[]> clients;
    private final byte[] nonce;
    private final byte[] body;
    private final byte[] signature;

    private Policy(byte[] owner, String device, Aif scope, long maxLifetime, List<byte[]> clients, byte[] nonce,
                   byte[] body, byte[] signature) {
        this.owner = owner;
        this.device = device;
        this.scope = scope;
        this.maxLifetime = maxLifetime;
        this.clients = clients;
        this.nonce = nonce;
        this.body = body;
        this.signature = signature;
    }

    /**
     * A new signed policy.
     *
     * @param clients the allow-list, or null for voucher mode
     */
    public static Policy sign(Ed25519.KeyPair owner, String device, Aif scope, long maxLifetime, List<byte[]> clients,
                              byte[] nonce) {
        DeviceName.check(device);
        Objects.requireNonNull(scope, "scope");
        if (maxLifetime < 1 || maxLifetime > MAX_LIFETIME) {
            throw new IllegalArgumentException("a policy's max lifetime is 1 to " + MAX_LIFETIME + " blocks");
        }
        if (nonce == null || nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("a policy nonce is " + NONCE_SIZE + " bytes");
        }
        List<byte[]> sorted = clients == null ? null : sortedClients(clients);
        byte[] body = Cbor.encode(bodyCbor(owner.publicKey(), device, scope, maxLifetime, sorted, nonce));
        return new Policy(owner.publicKey(), device, scope, maxLifetime, sorted, nonce.clone(), body,
                Signed.sign(LABEL, body, owner));
    }

    private static List<byte[]> sortedClients(List<byte[]> clients) {
        if (clients.isEmpty() || clients.size() > MAX_CLIENTS) {
            throw new IllegalArgumentException("an allow-list has 1 to " + MAX_CLIENTS + " client keys");
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] k : clients) {
            if (k == null || k.length != Ed25519.PUBLIC_KEY_SIZE) {
                throw new IllegalArgumentException("a client key is a 32-byte Ed25519 public key");
            }
            out.add(k.clone());
        }
        out.sort(Arrays::compareUnsigned);
        for (int i = 1; i < out.size(); i++) {
            if (Arrays.equals(out.get(i - 1), out.get(i))) {
                throw new IllegalArgumentException("a client key appears twice in the allow-list");
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static CBORObject bodyCbor(byte[] owner, String device, Aif scope, long maxLifetime, List<byte[]> clients,
                                       byte[] nonce) {
        CBORObject m = CBORObject.NewMap().Add(1, owner).Add(2, device).Add(3, scope.toCbor()).Add(4, maxLifetime);
        if (clients == null) {
            m.Add(6, CBORObject.True);
        } else {
            CBORObject a = CBORObject.NewArray();
            clients.forEach(a::Add);
            m.Add(5, a);
        }
        return m.Add(7, nonce);
    }

    public byte[] encode() {
        return Signed.encode(body, signature);
    }

    /** Parses a signed policy; the signature is not checked ({@link #verifies()}). */
    public static Policy decode(byte[] bytes) throws AuthzFormatException {
        Signed s = Signed.decode(bytes, "policy");
        Cbor.Fields f = new Cbor.Fields(s.bodyCbor("policy"), "policy", Set.of(1, 2, 3, 4, 5, 6, 7));
        byte[] owner = f.bytes(1, Ed25519.PUBLIC_KEY_SIZE);
        String device = f.text(2);
        Aif scope = Aif.fromCbor(f.get(3), "policy scope");
        long maxLifetime = f.uint(4);
        byte[] nonce = f.bytes(7, NONCE_SIZE);
        if (f.has(5) == f.has(6)) {
            throw new AuthzFormatException("policy: exactly one of an allow-list (5) and voucher mode (6)");
        }
        List<byte[]> clients = null;
        if (f.has(5)) {
            List<byte[]> keys = new ArrayList<>();
            for (CBORObject k : Cbor.array(f.get(5), 1, MAX_CLIENTS, "policy allow-list")) {
                keys.add(Cbor.bytes(k, Ed25519.PUBLIC_KEY_SIZE, "policy allow-list key"));
            }
            clients = keys;
        } else if (f.get(6).getType() != CBORType.Boolean || !f.get(6).AsBoolean()) {
            throw new AuthzFormatException("policy: voucher mode (6) is true or absent");
        }
        try {
            DeviceName.check(device);
            if (maxLifetime < 1 || maxLifetime > MAX_LIFETIME) {
                throw new IllegalArgumentException("max lifetime " + maxLifetime + " is not 1 to " + MAX_LIFETIME);
            }
            List<byte[]> sorted = clients == null ? null : sortedClients(clients);
            if (sorted != null && !sameOrder(sorted, clients)) {
                throw new IllegalArgumentException("the allow-list is not sorted");
            }
            return new Policy(owner, device, scope, maxLifetime, sorted, nonce, s.body(), s.signatureBytes("policy"));
        } catch (IllegalArgumentException e) {
            throw new AuthzFormatException("policy: " + e.getMessage());
        }
    }

    private static boolean sameOrder(List<byte[]> a, List<byte[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** True when the owner named in the policy signed it. */
    public boolean verifies() {
        return Signed.verify(LABEL, body, owner, signature);
    }

    /** SHA-256 of the body: the policy's id on the ledger. */
    public byte[] id() {
        return Sha256.hash(body);
    }

    public byte[] owner() {
        return owner.clone();
    }

    public String device() {
        return device;
    }

    public Aif scope() {
        return scope;
    }

    public long maxLifetime() {
        return maxLifetime;
    }

    public boolean voucherMode() {
        return clients == null;
    }

    /** True when the allow-list holds {@code client} (never in voucher mode). */
    public boolean allows(byte[] client) {
        return clients != null && clients.stream().anyMatch(k -> Arrays.equals(k, client));
    }

    /** The allow-list (empty in voucher mode). */
    public List<byte[]> clients() {
        return clients == null ? List.of() : clients.stream().map(byte[]::clone).toList();
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Policy p && Arrays.equals(body, p.body) && Arrays.equals(signature, p.signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Policy[" + Hex.encode(id()).substring(0, 16) + " device=" + device + " scope=" + scope + "]";
    }
}
