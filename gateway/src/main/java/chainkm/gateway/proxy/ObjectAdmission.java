package chainkm.gateway.proxy;

import chainkm.protocol.cose.CoseFormatException;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import java.security.SignatureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's acceptance rules for {@code PUT /objects/<path>} (issue 14, item 3). The device is
 * the one its DTLS session authenticated (the caller passes its ledger name and current key);
 * nothing in the request names it. In order:
 * <ol>
 *   <li>at most {@link ObjectCache.Limits#maxObjectBytes()} bytes;</li>
 *   <li>a resource path ({@link ProtectedResource}) whose segments a URI can name (none empty,
 *       {@code .} or {@code ..});</li>
 *   <li>a signed protected object, version 1 ({@link SignedObject#decode});</li>
 *   <li>its COSE_Sign1 verifies with the device's key and the external_aad of (this device, this
 *       path): an object signed by another device, or naming another device or path, or altered
 *       in any byte, fails here;</li>
 *   <li>its sequence number s is above the one cached for (device, path);</li>
 *   <li>the cache has room ({@link ObjectCache}).</li>
 * </ol>
 * Every refusal is one log line naming the device, the path and the rule, and leaves the cache as
 * it was.
 */
public final class ObjectAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectAdmission.class);

    private final ObjectCache cache;

    public ObjectAdmission(ObjectCache cache) {
        this.cache = cache;
    }

    public ObjectCache cache() {
        return cache;
    }

    /**
     * Admits bytes pushed for path by device, whose current ledger key (the one its DTLS session
     * presented) is deviceKey.
     */
    public PushOutcome admit(String device, byte[] deviceKey, String path, byte[] bytes) {
        int limit = cache.limits().maxObjectBytes();
        if (bytes.length > limit) {
            return refuse(device, path, PushRefusal.TOO_LARGE, bytes.length + " bytes, the limit is " + limit);
        }
        ProtectedResource resource;
        try {
            resource = new ProtectedResource(device, path);
        } catch (IllegalArgumentException e) {
            return refuse(device, path, PushRefusal.BAD_PATH, e.getMessage());
        }
        for (String segment : path.substring(1).split("/", -1)) {
            // a reader's URI could not name it: clients drop empty, "." and ".." segments
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return refuse(device, path, PushRefusal.BAD_PATH, "a path segment is empty, '.' or '..'");
            }
        }
        SignedObject signed;
        try {
            signed = SignedObject.decode(bytes);
        } catch (CoseFormatException e) {
            return refuse(device, path, PushRefusal.MALFORMED, e.getMessage());
        }
        ProtectedObject object;
        try {
            object = signed.verify(resource, deviceKey);
        } catch (SignatureException e) {
            return refuse(device, path, PushRefusal.BAD_SIGNATURE, "the signature does not verify as " + device
                    + "'s object of " + path + " (another device's object, or altered)");
        }
        CachedObject cached = new CachedObject(resource, bytes, object.session(), object.sequence(),
                object.readingSize());
        ObjectCache.Outcome outcome = cache.putIfNewer(cached);
        return switch (outcome) {
            case CACHED -> {
                LOG.debug("proxy: cached {}", cached);
                yield PushOutcome.accepted(cached);
            }
            case NOT_NEWER -> refuse(device, path, PushRefusal.REPLAY, "sequence " + object.sequence()
                    + " is not above the cached " + cache.sequence(resource) + " (an old object presented as new)");
            case DEVICE_FULL -> refuse(device, path, PushRefusal.DEVICE_FULL, "the device has "
                    + cache.limits().maxPathsPerDevice() + " resources cached already");
            case CACHE_FULL -> refuse(device, path, PushRefusal.CACHE_FULL, "the cache holds "
                    + cache.limits().maxEntries() + " resources");
        };
    }

    private static PushOutcome refuse(String device, String path, PushRefusal kind, String reason) {
        LOG.warn("proxy: object pushed by {} for {} refused ({}): {}", device, printable(path), kind, reason);
        return PushOutcome.refused(kind, reason);
    }

    /** A path as it may appear in a log line: printable ASCII, bounded. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 100; i++) {
            char c = text.charAt(i);
            out.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
