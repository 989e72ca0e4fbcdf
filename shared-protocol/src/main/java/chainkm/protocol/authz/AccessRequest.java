package chainkm.protocol.authz;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.DeviceName;
import com.upokecenter.cbor.CBORObject;
import java.util.Arrays;
import java.util.Set;

/**
 * A client's request to a key server ({@code POST /authz/access}, chainkm/v1): "give me what I
 * need to join the group of this resource, under the token with this cti". Deterministic CBOR,
 * a map:
 * <pre>
 *   1 cti      bstr 16   the token's cti
 *   2 device   tstr      the device (must be the token's aud)
 *   3 path     tstr      the resource path (an AIF path: starts with '/', printable ASCII)
 *   4 methods  uint      what the client will do, an AIF method mask (GET 1, POST 2, PUT 4 ...); optional, GET when absent
 * </pre>
 * The encoder leaves 4 out when it is GET; the decoder accepts it either way (the request is
 * neither signed nor hashed, so a second encoding of the same value harms nothing). Unknown
 * fields are refused: a later version adds its fields and a v1 key server answers 4.00.
 * Who asks is not in the request: it is the DTLS session's raw public key, which the key server
 * compares with the token's cnf.
 */
public final class AccessRequest {
    /** Far above the largest valid request (16-byte cti, 64-character device, 255-character path). */
    public static final int MAX_SIZE = 512;
    static final int CTI = 1;
    static final int DEVICE = 2;
    static final int PATH = 3;
    static final int METHODS = 4;

    private final byte[] cti;
    private final String device;
    private final String path;
    private final long methods;

    /**
     * @throws IllegalArgumentException if the cti is not 16 bytes, the device not a device name,
     *         the path not an AIF path or the methods not a non-zero AIF method mask
     */
    public AccessRequest(byte[] cti, String device, String path, long methods) {
        if (cti == null || cti.length != TokenRequest.CTI_SIZE) {
            throw new IllegalArgumentException("a cti is " + TokenRequest.CTI_SIZE + " bytes");
        }
        DeviceName.check(device);
        new Aif.Entry(path, methods); // checks the path and the method mask
        this.cti = cti.clone();
        this.device = device;
        this.path = path;
        this.methods = methods;
    }

    public byte[] encode() {
        CBORObject m = CBORObject.NewMap().Add(CTI, cti).Add(DEVICE, device).Add(PATH, path);
        if (methods != Aif.GET) {
            m.Add(METHODS, methods);
        }
        return Cbor.encode(m);
    }

    /** Decodes a request of at most {@link #MAX_SIZE} bytes of deterministic CBOR. */
    public static AccessRequest decode(byte[] bytes) throws AuthzFormatException {
        if (bytes != null && bytes.length > MAX_SIZE) {
            throw new AuthzFormatException("access request: " + bytes.length + " bytes, at most " + MAX_SIZE);
        }
        Cbor.Fields f = new Cbor.Fields(Cbor.decode(bytes, "access request"), "access request",
                Set.of(CTI, DEVICE, PATH, METHODS));
        byte[] cti = f.bytes(CTI, TokenRequest.CTI_SIZE);
        String device = f.text(DEVICE);
        String path = f.text(PATH);
        long methods = f.has(METHODS) ? f.uint(METHODS) : Aif.GET;
        try {
            return new AccessRequest(cti, device, path, methods);
        } catch (IllegalArgumentException e) {
            throw new AuthzFormatException("access request: " + e.getMessage());
        }
    }

    public byte[] cti() {
        return cti.clone();
    }

    public String device() {
        return device;
    }

    public String path() {
        return path;
    }

    /** The AIF method mask asked for (GET when the request named none). */
    public long methods() {
        return methods;
    }

    /** The name of the resource's group: the device followed by the path, e.g. {@code lamp-1/light}. */
    public String group() {
        return device + path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessRequest r && Arrays.equals(cti, r.cti) && device.equals(r.device)
                && path.equals(r.path) && methods == r.methods;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cti) * 31 + group().hashCode();
    }

    @Override
    public String toString() {
        return "AccessRequest[cti=" + Hex.encode(cti) + " group=" + group() + " methods=" + Aif.methodNames(methods) + "]";
    }
}
