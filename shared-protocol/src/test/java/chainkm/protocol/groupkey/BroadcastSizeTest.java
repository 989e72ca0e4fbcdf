package chainkm.protocol.groupkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.groupkey.Scenario.Client;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Property (e): |B_r| = 26 + g + K + n (17 + 16K) bytes for n members, a group name of g bytes
 * and K epochs in the window, with 1 ≤ K ≤ min(w, r) and K = 1 + the removal sessions in the
 * window after its first session.
 */
class BroadcastSizeTest {
    private static final int G = Scenario.GROUP.length();

    @Test
    void withoutRemovalsABroadcastCostsThirtyThreeBytesAMemberPlusItsHeader() {
        for (int window : new int[] {1, 4, 16, 255}) {
            for (int n : new int[] {0, 1, 7, Math.min(100, GroupManager.maxMembers(G, window))}) {
                Scenario s = new Scenario(window, window * 1000L + n);
                for (int i = 0; i < n; i++) {
                    s.join("m" + i);
                }
                for (int i = 0; i < 3; i++) {
                    SessionBroadcast b = s.session();
                    assertEquals(1, b.epochs());
                    assertEquals(26 + G + 1 + n * 33, b.encode().length, "w=" + window + " n=" + n);
                    assertEquals(n, b.memberCount());
                }
            }
        }
    }

    @Test
    void eachRemovalInTheWindowAddsAnEpochOfSixteenBytesAMember() {
        int window = 5;
        Scenario s = new Scenario(window, 21);
        List<Client> stay = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stay.add(s.join("stay" + i));
        }
        List<Long> removalSessions = new ArrayList<>();
        for (int r = 1; r <= 30; r++) {
            boolean removes = r % 3 == 0 || (r > 12 && r < 18);
            if (removes) {
                s.revoke(s.join("leaver" + r));   // joins and leaves before the session: still a removal
                removalSessions.add((long) r);
            }
            SessionBroadcast b = s.session();
            long start = Math.max(1, r - window + 1);
            int k = 1 + (int) removalSessions.stream().filter(a -> a > start && a <= b.session()).count();

            assertEquals(k, b.epochs(), "epochs of B_" + r);
            assertTrue(k <= Math.min(window, r));
            assertEquals(SessionBroadcast.size(G, k, 10), b.encode().length);
            assertEquals(26 + G + k + 10 * (17 + 16 * k), b.encode().length);
        }
    }

    @Test
    void aFullGroupRefusesAnotherMemberAndItsWorstBroadcastStillFits() throws Exception {
        int window = 16;
        Scenario s = new Scenario(window, 22);
        int max = s.gm.maxMembers();
        assertEquals((SessionBroadcast.MAX_SIZE - 26 - G - window) / (17 + 16 * window), max);
        List<Client> members = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            members.add(s.join("m" + i));
        }
        byte[] state = s.gm.encode();

        try (LogLines log = new LogLines()) {
            assertThrows(GroupFullException.class, () -> s.gm.addMember(new byte[16]));
            assertEquals(1, log.count("refused: the group is full"));
        }
        assertEquals(java.util.HexFormat.of().formatHex(state), java.util.HexFormat.of().formatHex(s.gm.encode()),
                "the refusal changes nothing");

        // a removal at every session: after w sessions every window holds w epochs, the most there can be
        SessionBroadcast b = null;
        for (int r = 1; r <= window + 1; r++) {
            s.revoke(members.remove(members.size() - 1));
            s.join("again" + r);
            b = s.session();
        }
        assertEquals(window, b.epochs());
        assertEquals(max, b.memberCount());
        assertTrue(b.encode().length <= SessionBroadcast.MAX_SIZE, b.encode().length + " bytes");
        assertFalse(b.encode().length + SessionBroadcast.entrySize(window) <= SessionBroadcast.MAX_SIZE - window,
                "one member more would not fit");
    }
}
