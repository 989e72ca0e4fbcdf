package chainkm.testbed.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The dashboard's event log: numbered events (1, 2, ...) from the ledger, the device agents,
 * the gateways and the dashboard's own controls, keeping the newest {@code capacity}. Readers
 * ask for what came after the last number they saw. Details are short lines, never key bytes.
 */
public final class EventLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where an event comes from. */
    public enum Source { LEDGER, DEVICE, GATEWAY, DASHBOARD }

    /**
     * One event. {@code kind} is lower case: for the ledger the operation ({@code join},
     * {@code leave}, {@code evict}, {@code rejoin}, ...) or {@code reorder}; for a device the
     * agent's event ({@code joined}, {@code rekeyed}, {@code caught_up}, ...); {@code up},
     * {@code down}, {@code attached}, {@code refused}, {@code error} and the controls' names
     * otherwise. {@code device}, {@code node} and {@code gateway} may be null.
     */
    public record Event(long seq, Instant time, Source source, String kind, String device, Integer node,
                        Integer gateway, String detail) {
        ObjectNode toJson(IntFunction<String> deviceOfNode) {
            ObjectNode o = JSON.createObjectNode();
            o.put("seq", seq);
            o.put("time", time.toString());
            o.put("source", source.name().toLowerCase());
            o.put("kind", kind);
            o.put("device", device != null || node == null ? device : deviceOfNode.apply(node));
            o.put("node", node);
            o.put("gateway", gateway);
            o.put("detail", detail);
            return o;
        }
    }

    private final int capacity;
    private final Deque<Event> events = new ArrayDeque<>();
    private long last;
    private volatile IntFunction<String> deviceOfNode = n -> null;

    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /**
     * Names the device of an event that has a node but no device name, when the event is read: a
     * device's node id is known only once its join is committed, sometimes after the ledger
     * reported the join. Node ids are never reused, so the name found later is the right one.
     */
    public void nameDevicesWith(IntFunction<String> deviceOfNode) {
        this.deviceOfNode = deviceOfNode;
    }

    public synchronized Event add(Source source, String kind, String device, Integer node, Integer gateway, String detail) {
        Event e = new Event(++last, Instant.now(), source, kind, device, node, gateway, detail);
        events.addLast(e);
        while (events.size() > capacity) {
            events.removeFirst();
        }
        return e;
    }

    /** The number of the newest event (0 before the first). */
    public synchronized long last() {
        return last;
    }

    /** Events numbered above {@code seq}, oldest first, at most {@code limit} (the newest ones if more). */
    public synchronized List<Event> after(long seq, int limit) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (e.seq() > seq) {
                out.add(e);
            }
        }
        return out.size() > limit ? new ArrayList<>(out.subList(out.size() - limit, out.size())) : out;
    }

    /** {@code {"last": N, "events": [...]}} for the events after {@code seq}. */
    public ObjectNode toJson(long seq, int limit) {
        ObjectNode o = JSON.createObjectNode();
        List<Event> list;
        long newest;
        synchronized (this) {
            list = after(seq, limit);
            newest = last;
        }
        o.put("last", newest);
        ArrayNode a = o.putArray("events");
        IntFunction<String> names = deviceOfNode;
        list.forEach(e -> a.add(e.toJson(names)));
        return o;
    }
}
