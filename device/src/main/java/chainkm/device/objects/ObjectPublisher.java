package chainkm.device.objects;

import chainkm.protocol.cose.NonceSource;
import chainkm.protocol.cose.ProtectedObject;
import chainkm.protocol.cose.ProtectedResource;
import chainkm.protocol.cose.SignedObject;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the device's protected resources: for each, a reading sealed as a
 * {@link ProtectedObject} under the current session key K_j with the next sequence number of the
 * device's durable {@link NonceSource}, signed as a {@link SignedObject} with the identity key,
 * kept as the resource's latest object (served directly) and pushed to the proxy.
 *
 * <p>No key for a resource: no object, and one log line until a key comes (not one per reading).
 * A nonce that cannot be reserved durably: no object either. A push that fails leaves the object
 * served locally; the next reading pushes again.
 */
public final class ObjectPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectPublisher.class);

    /** Told of every object published, after it was made. */
    @FunctionalInterface
    public interface Listener {
        void published(String path, SignedObject object);
    }

    private final String device;
    private final List<String> paths;
    private final Ed25519.KeyPair identity;
    private final NonceSource nonces;
    private final SessionKeySource keys;
    private final ReadingSource readings;
    private final ObjectSink sink;
    private final Map<String, SignedObject> latest = new ConcurrentHashMap<>();
    private final Set<String> keyless = ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public ObjectPublisher(String device, List<String> paths, Ed25519.KeyPair identity, NonceSource nonces,
                           SessionKeySource keys, ReadingSource readings, ObjectSink sink) {
        this.device = device;
        this.paths = List.copyOf(paths);
        paths.forEach(p -> new ProtectedResource(device, p)); // a bad path fails here, not at the first reading
        this.identity = identity;
        this.nonces = nonces;
        this.keys = keys;
        this.readings = readings;
        this.sink = sink;
    }

    public List<String> paths() {
        return paths;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** The latest object of path, the bytes as signed. */
    public Optional<SignedObject> latest(String path) {
        return Optional.ofNullable(latest.get(path));
    }

    /** Publishes one reading of every resource. */
    public void publishAll() {
        for (String p : paths) {
            publish(p);
        }
    }

    /**
     * Publishes one reading of path: seals, signs, keeps and pushes it. Empty when there is no
     * key, no reading, or no fresh nonce (nothing sealed then).
     */
    public synchronized Optional<SignedObject> publish(String path) {
        if (!paths.contains(path)) {
            throw new IllegalArgumentException("not a protected resource of this device: " + path);
        }
        Optional<SessionKey> key = keys.current(path);
        if (key.isEmpty()) {
            if (keyless.add(path)) {
                LOG.warn("no group session key for {}: publishing nothing until one comes", path);
            }
            return Optional.empty();
        }
        if (keyless.remove(path)) {
            LOG.info("group session key for {} (session {}): publishing again", path, key.get().session());
        }
        byte[] reading;
        try {
            reading = readings.read(path);
        } catch (IOException e) {
            LOG.warn("no reading of {}: {}", path, e.getMessage());
            return Optional.empty();
        }
        ProtectedResource resource = new ProtectedResource(device, path);
        SignedObject signed;
        byte[] k = key.get().key();
        try {
            ProtectedObject object = ProtectedObject.seal(resource, key.get().session(), k, nonces, reading);
            signed = SignedObject.sign(object, resource, identity);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.warn("object of {} not sealed: {}", path, e.getMessage());
            return Optional.empty();
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
        latest.put(path, signed);
        listeners.forEach(l -> l.published(path, signed));
        try {
            sink.push(path, signed.encode());
            LOG.debug("pushed {}", signed);
        } catch (IOException | RuntimeException e) {
            LOG.warn("object of {} not pushed to the proxy (served locally; the next reading pushes again): {}", path,
                    e.getMessage());
        }
        return Optional.of(signed);
    }
}
