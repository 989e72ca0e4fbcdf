package chainkm.device.agent;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The identity keys of D2D senders, as this device's own gateway reports them from the committed
 * ledger ({@code GET /identity/<node>} over the device's DTLS session), cached per node.
 *
 * <p>Bounded so that packets, even forged ones, cannot make a lookup storm: at most
 * {@link #MAX_KNOWN} known and {@link #MAX_UNKNOWN} unknown nodes are remembered (least recently
 * used dropped first); a node the gateway does not know is not asked about again for
 * {@link #UNKNOWN_TTL}; after a failed look-up (which may have held the receive thread for the
 * whole gateway timeout) there is none at all for {@link #FAILED_TTL}; and look-ups draw on a
 * budget of {@link #BURST} that refills at {@link #PER_SECOND} a second. A known entry expires
 * after {@link #KNOWN_TTL}: a node id is bound to one identity key for as long as it is a member,
 * so the TTL only bounds how long a node that left stays known; its messages fail anyway, since
 * the rekey that removed it renewed every key it held.
 */
final class SenderIdentities {
    static final int MAX_KNOWN = 256;
    static final int MAX_UNKNOWN = 1024;
    static final Duration KNOWN_TTL = Duration.ofMinutes(10);
    static final Duration UNKNOWN_TTL = Duration.ofSeconds(60);
    static final Duration FAILED_TTL = Duration.ofSeconds(5);
    static final int BURST = 32;
    static final int PER_SECOND = 4;

    /** Where identity keys come from: empty when the node is not a member with an active identity. */
    interface Directory {
        Optional<byte[]> identityKey(int node) throws IOException;
    }

    /** The outcome of a look-up: the key, or why there is none (for the refusal's log line). */
    record Lookup(byte[] key, String missing) {
        boolean known() {
            return key != null;
        }
    }

    private record Entry(byte[] key, long expiresAt) {}

    private final Directory directory;
    private final Clock clock;
    private final Map<Integer, Entry> known = lru(MAX_KNOWN);
    private final Map<Integer, Long> unknown = lru(MAX_UNKNOWN);
    /** After a failed look-up (gateway unreachable), none at all until then: each may take the whole gateway timeout. */
    private long pausedUntil = Long.MIN_VALUE;
    private double tokens = BURST;
    private long refilledAt;
    private long lookups;

    SenderIdentities(Directory directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
        this.refilledAt = clock.millis();
    }

    private static <V> Map<Integer, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, V> eldest) {
                return size() > max;
            }
        };
    }

    /**
     * The identity key of {@code node}: from the cache, or asked of the gateway when the budget
     * allows. Runs on the D2D receive thread, so at most one look-up is ever in flight.
     */
    synchronized Lookup lookup(int node) {
        long now = clock.millis();
        Entry e = known.get(node);
        if (e != null && now < e.expiresAt()) {
            return new Lookup(e.key().clone(), null);
        }
        known.remove(node);
        Long until = unknown.get(node);
        if (until != null && now < until) {
            return new Lookup(null, "node " + node + " is not a member with an identity (cached answer of the gateway)");
        }
        unknown.remove(node);
        if (now < pausedUntil) {
            return new Lookup(null, "identity look-ups paused after a failed one; node " + node + " not looked up");
        }
        if (!takeToken(now)) {
            return new Lookup(null, "identity look-ups over budget (" + PER_SECOND + "/s); node " + node + " not looked up");
        }
        lookups++;
        try {
            Optional<byte[]> key = directory.identityKey(node);
            if (key.isEmpty()) {
                unknown.put(node, now + UNKNOWN_TTL.toMillis());
                return new Lookup(null, "the gateway knows no member identity for node " + node);
            }
            known.put(node, new Entry(key.get().clone(), now + KNOWN_TTL.toMillis()));
            return new Lookup(key.get().clone(), null);
        } catch (IOException ex) {
            pausedUntil = clock.millis() + FAILED_TTL.toMillis();
            return new Lookup(null, "identity of node " + node + " unavailable: " + ex.getMessage());
        }
    }

    private boolean takeToken(long now) {
        tokens = Math.min(BURST, tokens + Math.max(0, now - refilledAt) * PER_SECOND / 1000.0);
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** How many look-ups reached the gateway (for tests). */
    synchronized long lookups() {
        return lookups;
    }
}
