package chainkm.protocol.cose;

import chainkm.protocol.identity.DeviceName;

/**
 * Which resource an object belongs to: the device (the resource server, by its ledger name) and
 * the resource's path on it, as a token's scope names it. Every protected object is bound to
 * its resource through the external_aad of both its COSE_Encrypt0 and its COSE_Sign1:
 * <pre>
 *   external_aad = ["chainkm/v1/object", device: tstr, path: tstr]    (deterministic CBOR)
 * </pre>
 * so an object of one resource or device cannot be served as another's, even under the same
 * group key, and a client learns nothing it did not ask for. The context string is the format's
 * version: a later format changes it, and a reader of this one then fails to open such an
 * object instead of misreading it.
 */
public record ProtectedResource(String device, String path) {
    public static final String CONTEXT = "chainkm/v1/object";
    public static final int MAX_PATH_LENGTH = 255;

    public ProtectedResource {
        DeviceName.check(device);
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("a resource path starts with '/' and has at most "
                    + MAX_PATH_LENGTH + " characters");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("a resource path is printable ASCII without spaces");
            }
        }
    }

    /** The external_aad of this resource's objects. */
    public byte[] externalAad() {
        return new CborWriter().array(3).text(CONTEXT).text(device).text(path).toByteArray();
    }

    @Override
    public String toString() {
        return device + path;
    }
}
