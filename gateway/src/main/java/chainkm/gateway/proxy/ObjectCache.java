package chainkm.gateway.proxy;

import chainkm.protocol.cose.ProtectedResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The proxy's cache: the latest object of each (device, resource), in memory only (a restart
 * empties it; devices push again at their next reading). Bounded: at most
 * {@link Limits#maxEntries()} resources in all and {@link Limits#maxPathsPerDevice()} per device,
 * so that one device cannot crowd the others out; an object above
 * {@link Limits#maxObjectBytes()} is never admitted ({@link ObjectAdmission}).
 * An entry replaces the one before only with a higher sequence number.
 */
public final class ObjectCache {
    /** The bounds; the defaults keep the cache under about 4 MiB. */
    public record Limits(int maxObjectBytes, int maxEntries, int maxPathsPerDevice) {
        /** One CoAP block: a cached object is served in a single datagram. */
        public static final Limits DEFAULT = new Limits(1024, 4096, 16);

        public Limits {
            if (maxObjectBytes < 1 || maxEntries < 1 || maxPathsPerDevice < 1) {
                throw new IllegalArgumentException("cache limits are positive");
            }
        }
    }

    /** Told of every object the cache takes, after it took it. */
    @FunctionalInterface
    public interface Listener {
        void cached(CachedObject object);
    }

    /** Why {@link #putIfNewer} did not take an object. */
    public enum Outcome {
        CACHED, NOT_NEWER, DEVICE_FULL, CACHE_FULL
    }

    private final Limits limits;
    private final Map<ProtectedResource, CachedObject> entries = new HashMap<>();
    private final Map<String, Integer> pathsPerDevice = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public ObjectCache(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public synchronized Optional<CachedObject> get(ProtectedResource resource) {
        return Optional.ofNullable(entries.get(resource));
    }

    /** The sequence number cached for resource, or -1. */
    public synchronized long sequence(ProtectedResource resource) {
        CachedObject o = entries.get(resource);
        return o == null ? -1 : o.sequence();
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Takes object unless the cache holds one of its resource with a sequence number as high, or is full. */
    public Outcome putIfNewer(CachedObject object) {
        ProtectedResource r = object.resource();
        synchronized (this) {
            CachedObject old = entries.get(r);
            if (old != null && old.sequence() >= object.sequence()) {
                return Outcome.NOT_NEWER;
            }
            if (old == null) {
                int paths = pathsPerDevice.getOrDefault(r.device(), 0);
                if (paths >= limits.maxPathsPerDevice()) {
                    return Outcome.DEVICE_FULL;
                }
                if (entries.size() >= limits.maxEntries()) {
                    return Outcome.CACHE_FULL;
                }
                pathsPerDevice.put(r.device(), paths + 1);
            }
            entries.put(r, object);
        }
        listeners.forEach(l -> l.cached(object));
        return Outcome.CACHED;
    }
}
