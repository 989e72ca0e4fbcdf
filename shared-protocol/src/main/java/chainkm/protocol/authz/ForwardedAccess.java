package chainkm.protocol.authz;

import chainkm.protocol.crypto.Ed25519;
import com.upokecenter.cbor.CBORObject;
import java.util.Arrays;
import java.util.Set;

/**
 * An {@link AccessRequest} that a key server forwards to the key server of the device's home
 * gateway ({@code POST /relay/access} on the home gateway's device endpoint, gateway PSK only),
 * after checking the token itself. Deterministic CBOR, a map:
 * <pre>
 *   1 request  bstr      the client's access request ({@link AccessRequest#encode()})
 *   2 client   bstr 32   the Ed25519 raw public key the client's DTLS session proved
 *   3 height   uint      the forwarding gateway's committed height at its check: the home
 *                        gateway checks again at this height or a later one
 * </pre>
 */
public final class ForwardedAccess {
    public static final int MAX_SIZE = 1024;

    private final AccessRequest request;
    private final byte[] client;
    private final long height;

    public ForwardedAccess(AccessRequest request, byte[] client, long height) {
        if (client == null || client.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("a client key is a 32-byte Ed25519 public key");
        }
        if (height < 0) {
            throw new IllegalArgumentException("a height is not negative");
        }
        this.request = java.util.Objects.requireNonNull(request, "request");
        this.client = client.clone();
        this.height = height;
    }

    public byte[] encode() {
        return Cbor.encode(CBORObject.NewMap().Add(1, request.encode()).Add(2, client).Add(3, height));
    }

    public static ForwardedAccess decode(byte[] bytes) throws AuthzFormatException {
        if (bytes != null && bytes.length > MAX_SIZE) {
            throw new AuthzFormatException("forwarded access: " + bytes.length + " bytes, at most " + MAX_SIZE);
        }
        Cbor.Fields f = new Cbor.Fields(Cbor.decode(bytes, "forwarded access"), "forwarded access", Set.of(1, 2, 3));
        return new ForwardedAccess(AccessRequest.decode(f.bytes(1, -1)), f.bytes(2, Ed25519.PUBLIC_KEY_SIZE),
                f.uint(3));
    }

    public AccessRequest request() {
        return request;
    }

    public byte[] client() {
        return client.clone();
    }

    /** The forwarding gateway's committed height when it checked the token. */
    public long height() {
        return height;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardedAccess f && request.equals(f.request) && Arrays.equals(client, f.client)
                && height == f.height;
    }

    @Override
    public int hashCode() {
        return request.hashCode() * 31 + Long.hashCode(height);
    }
}
