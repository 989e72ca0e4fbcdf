package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.keys.KeyId;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable windows alone: key values that come and go, and restarts. */
class ReplayWindowsTest {
    private static final KeyId PSK = KeyId.pairwiseSetKey(3, 7);
    private static final KeyId OTHER = KeyId.pairwiseSetKey(3, 9);

    @TempDir
    Path state;

    /** Held key values, as "id@seq"; a key id is held while any of its values is. */
    private final Set<String> held = new HashSet<>();

    private ReplayWindows open() throws Exception {
        ReplayWindows w = ReplayWindows.open(state);
        w.pruneWith(new ReplayWindows.LiveKeys() {
            @Override
            public boolean holds(KeyId id) {
                return held.stream().anyMatch(h -> h.startsWith(id + "@"));
            }

            @Override
            public boolean holdsValue(KeyId id, long seq) {
                return held.contains(id + "@" + seq);
            }
        });
        return w;
    }

    @Test
    void aNewValueOfAKeyStartsAboveWhatTheSenderSentUnderTheOldOneAcrossARestart() throws Exception {
        held.add(PSK + "@5");
        ReplayWindows w = open();
        for (long c = 1; c <= 40; c++) {
            assertTrue(w.accept(PSK, 5, 70, c));
        }
        // rekey: value 9 replaces value 5, whose grace period ends; the next write folds window 5
        held.clear();
        held.add(PSK + "@9");
        held.add(OTHER + "@9");
        assertTrue(w.accept(OTHER, 9, 70, 41)); // any write prunes
        ReplayWindows after = open();
        // a message recorded under value 5 and relabelled cannot come back under value 9
        assertFalse(after.accept(PSK, 9, 70, 40));
        assertFalse(after.accept(PSK, 9, 70, 1));
        assertTrue(after.accept(PSK, 9, 70, 200));
        // another sender's window is its own
        assertTrue(after.accept(PSK, 9, 71, 1));
    }

    @Test
    void windowsOfAKeyIdNoLongerHeldAreDropped() throws Exception {
        held.add(PSK + "@5");
        held.add(OTHER + "@5");
        ReplayWindows w = open();
        assertTrue(w.accept(PSK, 5, 70, 1));
        assertTrue(w.accept(OTHER, 5, 70, 2));
        assertEquals(2, w.size());
        held.remove(PSK + "@5");
        assertTrue(w.accept(OTHER, 5, 70, 1000)); // a write: the PSK window goes
        assertEquals(1, w.size());
        assertEquals(1, open().size());
    }

    @Test
    void aRestartRefusesEverythingAtOrBelowTheStoredMarkAndNoMore() throws Exception {
        held.add(PSK + "@5");
        ReplayWindows w = open();
        assertTrue(w.accept(PSK, 5, 70, 10)); // mark 10 + K
        ReplayWindows after = open();
        for (long c = 0; c <= 10 + ReplayWindows.K; c++) {
            assertFalse(after.accept(PSK, 5, 70, c), "counter " + c);
        }
        assertTrue(after.accept(PSK, 5, 70, 10 + ReplayWindows.K + 1));
    }

    @Test
    void anOrderlyStopCostsTheSenderNothingAndStillRefusesTheReplay() throws Exception {
        held.add(PSK + "@5");
        ReplayWindows w = open();
        assertTrue(w.accept(PSK, 5, 70, 10));
        assertTrue(w.accept(PSK, 5, 70, 8)); // out of order, in the window
        w.closeExactly();
        ReplayWindows after = open();
        assertFalse(after.accept(PSK, 5, 70, 10));
        assertFalse(after.accept(PSK, 5, 70, 8));
        assertFalse(after.accept(PSK, 5, 70, 9), "below the mark: it may have arrived before the stop");
        assertTrue(after.accept(PSK, 5, 70, 11), "the next fresh message");
    }
}
