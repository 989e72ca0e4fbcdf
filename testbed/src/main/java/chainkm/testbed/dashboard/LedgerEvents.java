package chainkm.testbed.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.IntFunction;

/**
 * Turns the ledger's {@code /refresh} answers (the operations committed in a range of heights,
 * in ledger order) into event log entries, each operation once, however the ranges overlap or
 * whichever gateway answered. Refresh keys stay out of the log.
 */
final class LedgerEvents {
    private final EventLog log;
    private final IntFunction<String> deviceOfNode;
    private long lastHeight;
    private int lastIndex = -1;
    private long nextHeight = 1;

    /** {@code deviceOfNode} names a simulated device by its node id (null if none). */
    LedgerEvents(EventLog log, IntFunction<String> deviceOfNode) {
        this.log = log;
        this.deviceOfNode = deviceOfNode;
    }

    /** The first height to ask {@code /refresh} for next. */
    synchronized long nextHeight() {
        return nextHeight;
    }

    /** Logs the operations of one {@code /refresh} answer that were not logged yet. */
    synchronized void accept(JsonNode refresh) {
        for (JsonNode e : refresh.path("entries")) {
            long h = e.path("height").asLong();
            int i = e.path("index").asInt();
            boolean seen = h < lastHeight || (h == lastHeight && i <= lastIndex);
            if (seen) {
                continue;
            }
            lastHeight = h;
            lastIndex = i;
            String op = e.path("operation").asText("unknown");
            int node = e.path("node_id").asInt();
            int set = e.path("set_id").asInt();
            int gateway = e.path("gateway").asInt();
            boolean removal = op.equals("remove_gateway"); // its node id field is the removed gateway's id
            String device = removal ? null : deviceOfNode.apply(node);
            log.add(EventLog.Source.LEDGER, op, device, removal ? null : node, gateway,
                    describe(op, node, set, gateway, device, h));
            for (JsonNode m : e.path("moves")) {
                int moved = m.path("node_id").asInt();
                String d = deviceOfNode.apply(moved);
                log.add(EventLog.Source.LEDGER, "reorder", d, moved, null, "node " + moved + (d == null ? "" : " (" + d + ")")
                        + " moved from set " + m.path("from_set").asInt() + " to set " + m.path("to_set").asInt()
                        + " after the " + op + " of node " + node);
            }
        }
        long answeredAt = refresh.path("height").asLong(0);
        nextHeight = Math.max(nextHeight, Math.max(answeredAt, lastHeight) + 1);
    }

    private static String describe(String op, int node, int set, int gateway, String device, long height) {
        String who = "node " + node + (device == null ? "" : " (" + device + ")");
        String where = switch (op) {
            case "join" -> who + " joined set " + set + " through gateway " + gateway;
            case "leave" -> who + " left set " + set + " (submitted by gateway " + gateway + ")";
            case "evict" -> who + " was evicted from set " + set + " by gateway " + gateway;
            case "rejoin" -> who + " rejoined through gateway " + gateway;
            case "remove_gateway" -> "gateway " + node + " was removed from the consortium";
            default -> op + " of " + who + " in set " + set + " by gateway " + gateway;
        };
        return where + ", committed at height " + height;
    }
}
