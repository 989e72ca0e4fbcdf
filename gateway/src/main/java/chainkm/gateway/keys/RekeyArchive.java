package chainkm.gateway.keys;

import chainkm.protocol.rekey.JoinBundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rekey messages this gateway sent for the latest operations, and the join bundles it made
 * for them, kept for catch-up (a device that slept or missed an MQTT message) and for the
 * gateways that relay them to a device attached there. It is bounded, by a number of
 * operations and by a budget of bytes, whichever is reached first: at a thousand joins a second
 * an unbounded archive would fill the heap. The oldest operations go first, and everything at
 * or below {@link #horizon()} is gone; the key manager answers a catch-up that reaches that far
 * back with the device's full state instead (see {@link KeyManager}).
 *
 * <p>It also keeps, for each node of this gateway's sets, the seq at which it entered each set it
 * was in: a catch-up replays a SET message only for the set the node was in at the time. That
 * history is pruned with the messages: a departed node's when its departure leaves the archive,
 * and a moved node's entries older than the horizon except its first (where its catch-up
 * starts) and the one still in force at the horizon.
 */
public final class RekeyArchive {
    /** Per message or bundle key: the cost of the maps and arrays beside the bytes themselves. */
    private static final int OVERHEAD = 96;

    /**
     * How much the archive keeps: at most {@code operations} operations and about {@code bytes}
     * bytes of messages and bundles (gateway.toml {@code rekey_archive_ops}, {@code rekey_archive_mb}).
     */
    public record Limits(int operations, long bytes) {
        /**
         * 100,000 operations or 64 MiB, a sixth of the gateway's heap: every catch-up of the tests
         * and the bench (at most a few thousand operations back) is served from the archive.
         */
        public static final Limits DEFAULT = new Limits(100_000, 64L << 20);

        public Limits {
            if (operations < 1 || bytes < 1) {
                throw new IllegalArgumentException("the rekey archive must keep at least one operation and one byte");
            }
        }
    }

    /** What one operation left here. */
    private static final class Sent {
        final Map<Integer, byte[]> nodeMessages = new HashMap<>();
        final Map<Integer, byte[]> setMessages = new HashMap<>();
        final List<Integer> bundles = new ArrayList<>();
        /** Nodes that entered a set (moved, adopted) or departed at this operation. */
        final Set<Integer> entered = new TreeSet<>();
        final Set<Integer> departed = new TreeSet<>();
        long bytes;
    }

    private final Limits limits;
    private final TreeMap<Long, Sent> sent = new TreeMap<>();
    private final Map<Integer, JoinBundle> bundles = new HashMap<>();
    private final Map<Integer, NavigableMap<Long, Integer>> setHistory = new HashMap<>();
    private long horizon;
    private long bytes;

    RekeyArchive(Limits limits) {
        this.limits = limits;
    }

    /** The newest operation no longer kept (0 while nothing was pruned): a catch-up must start above it. */
    long horizon() {
        return horizon;
    }

    /** Operations kept now. */
    int operations() {
        return sent.size();
    }

    /** Bytes kept now (an estimate: message and key bytes plus a fixed overhead each). */
    long bytes() {
        return bytes;
    }

    private Sent at(long seq) {
        return sent.computeIfAbsent(seq, k -> new Sent());
    }

    private void count(Sent s, long n) {
        s.bytes += n;
        bytes += n;
    }

    void nodeMessage(long seq, int node, byte[] message) {
        Sent s = at(seq);
        s.nodeMessages.put(node, message);
        count(s, message.length + OVERHEAD);
    }

    void setMessage(long seq, int set, byte[] message) {
        Sent s = at(seq);
        s.setMessages.put(set, message);
        count(s, message.length + OVERHEAD);
    }

    void bundle(JoinBundle bundle) {
        Sent s = at(bundle.seq());
        s.bundles.add(bundle.nodeId());
        bundles.put(bundle.nodeId(), bundle);
        count(s, (long) (bundle.keys().size() + 1) * OVERHEAD);
    }

    Optional<JoinBundle> bundle(int node) {
        return Optional.ofNullable(bundles.get(node));
    }

    /** Node {@code node} is in set {@code set} from {@code seq} on (its catch-up starts after its first entry). */
    void entered(int node, long seq, int set) {
        setHistory.computeIfAbsent(node, k -> new TreeMap<>()).put(seq, set);
        at(seq).entered.add(node);
    }

    /**
     * Node {@code node} of adopted set {@code set} gets its full state at {@code seq}: its
     * catch-up here starts with that message, what the removed gateway sent before is moot.
     */
    void adopted(int node, long seq, int set) {
        setHistory.computeIfAbsent(node, k -> new TreeMap<>()).put(seq - 1, set);
        at(seq).entered.add(node);
    }

    /** Makes sure {@code node} has a history (a member that stayed where it was). */
    void known(int node) {
        setHistory.computeIfAbsent(node, k -> new TreeMap<>());
    }

    /** Node {@code node} left the network at {@code seq}: its history goes when that operation does. */
    void departed(int node, long seq) {
        if (setHistory.containsKey(node)) {
            at(seq).departed.add(node);
        }
    }

    /** Where the node's catch-up starts (the seq of its first entry here), or empty if this gateway never had it. */
    Optional<Long> firstSeq(int node) {
        NavigableMap<Long, Integer> h = setHistory.get(node);
        return h == null || h.isEmpty() ? Optional.empty() : Optional.of(h.firstKey());
    }

    /**
     * The messages for {@code node} at seqs {@code from + 1} to {@code to}, in order: for each
     * operation its NODE message if it has one, else the SET message of the set it was in. Seqs
     * at or below the horizon are skipped: the caller checks {@link #horizon()} first.
     */
    List<byte[]> messages(int node, long from, long to) {
        NavigableMap<Long, Integer> history = setHistory.get(node);
        List<byte[]> out = new ArrayList<>();
        if (history == null) {
            return out;
        }
        for (Map.Entry<Long, Sent> e : sent.subMap(from, false, to, true).entrySet()) {
            long s = e.getKey();
            byte[] own = e.getValue().nodeMessages.get(node);
            if (own != null) {
                out.add(own);
                continue;
            }
            Map.Entry<Long, Integer> setAt = history.floorEntry(s - 1);
            byte[] forSet = setAt == null ? null : e.getValue().setMessages.get(setAt.getValue());
            if (forSet != null) {
                out.add(forSet);
            }
        }
        return out;
    }

    /** Drops the oldest operations until the archive is within its limits (the newest one always stays). */
    void prune() {
        while (sent.size() > 1 && (sent.size() > limits.operations() || bytes > limits.bytes())) {
            Map.Entry<Long, Sent> oldest = sent.pollFirstEntry();
            long seq = oldest.getKey();
            Sent s = oldest.getValue();
            bytes -= s.bytes;
            horizon = seq;
            for (int node : s.bundles) {
                JoinBundle b = bundles.get(node);
                if (b != null && b.seq() == seq) {
                    bundles.remove(node);
                }
            }
            s.departed.forEach(setHistory::remove);
            for (int node : s.entered) {
                NavigableMap<Long, Integer> h = setHistory.get(node);
                Long floor = h == null ? null : h.floorKey(seq);
                if (floor != null && floor > h.firstKey()) {
                    h.subMap(h.firstKey(), false, floor, false).clear();
                }
            }
        }
    }
}
