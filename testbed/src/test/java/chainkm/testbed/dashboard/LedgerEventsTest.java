package chainkm.testbed.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ledger's /refresh answers become events, each operation once, without refresh keys. */
class LedgerEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventLog log = new EventLog(100);
    private final Map<Integer, String> devices = Map.of(11, "sim1", 12, "sim2");
    private final LedgerEvents ledger = new LedgerEvents(log, devices::get);

    private static JsonNode refresh(long height, String entries) throws Exception {
        return JSON.readTree("{\"height\": " + height + ", \"entries\": [" + entries + "]}");
    }

    private static String entry(long height, int index, String op, int node, int set, int gateway, String moves) {
        return "{\"height\": " + height + ", \"index\": " + index + ", \"operation\": \"" + op + "\", \"node_id\": " + node
                + ", \"set_id\": " + set + ", \"gateway\": " + gateway
                + ", \"refresh_key\": \"00112233445566778899aabbccddeeff\", \"moves\": [" + moves + "]}";
    }

    @Test
    void eachOperationIsLoggedOnceWithItsDeviceAndMoves() throws Exception {
        assertEquals(1, ledger.nextHeight());
        ledger.accept(refresh(5, entry(3, 0, "join", 11, 1, 1, "") + "," + entry(3, 1, "join", 12, 2, 2, "")));
        assertEquals(6, ledger.nextHeight());
        // an overlapping answer from a gateway that is further on
        ledger.accept(refresh(8, entry(3, 1, "join", 12, 2, 2, "") + "," + entry(7, 0, "evict", 12, 2, 3,
                "{\"node_id\": 11, \"from_set\": 1, \"to_set\": 2}")));
        assertEquals(9, ledger.nextHeight());
        // a lagging gateway's answer changes nothing
        ledger.accept(refresh(4, entry(3, 0, "join", 11, 1, 1, "")));
        assertEquals(9, ledger.nextHeight());

        List<EventLog.Event> events = log.after(0, 100);
        assertEquals(List.of("join", "join", "evict", "reorder"), events.stream().map(EventLog.Event::kind).toList());
        EventLog.Event evict = events.get(2);
        assertEquals(EventLog.Source.LEDGER, evict.source());
        assertEquals("sim2", evict.device());
        assertEquals(12, evict.node());
        assertEquals(3, evict.gateway());
        assertEquals("node 12 (sim2) was evicted from set 2 by gateway 3, committed at height 7", evict.detail());
        assertEquals("sim1", events.get(3).device());
        for (EventLog.Event e : events) {
            assertFalse(e.detail().contains("00112233"), "a refresh key in " + e.detail());
        }
    }

    @Test
    void operationsOfNodesThatAreNoSimulatedDeviceHaveNoDeviceName() throws Exception {
        ledger.accept(refresh(2, entry(2, 0, "leave", 99, 4, 2, "")));
        EventLog.Event e = log.after(0, 10).get(0);
        assertNull(e.device());
        assertEquals("node 99 left set 4 (submitted by gateway 2), committed at height 2", e.detail());
    }

    @Test
    void theLogKeepsTheNewestEventsAndAnswersFromASeq() {
        EventLog small = new EventLog(3);
        for (int i = 0; i < 5; i++) {
            small.add(EventLog.Source.DASHBOARD, "add", null, null, null, "event " + i);
        }
        assertEquals(5, small.last());
        assertEquals(List.of(3L, 4L, 5L), small.after(0, 10).stream().map(EventLog.Event::seq).toList());
        assertEquals(List.of(5L), small.after(4, 10).stream().map(EventLog.Event::seq).toList());
        assertEquals(List.of(4L, 5L), small.after(0, 2).stream().map(EventLog.Event::seq).toList());
    }
}
