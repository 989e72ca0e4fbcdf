package chainkm.protocol.groupkey;

import static chainkm.protocol.groupkey.Scenario.sessions;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.protocol.groupkey.Scenario.Client;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Property (a): a member that missed broadcasts recovers their keys from a later one within the window. */
class SelfHealingTest {

    @Test
    void aMemberThatMissedBroadcastsRecoversTheirKeysFromALaterOneAcrossJoinsAndRemovals() {
        Scenario s = new Scenario(4, 1);
        Client a = s.join("a");
        Client b = s.join("b");
        Client d = s.join("d");
        s.sessionTo(a, b, d);                    // 1
        s.join("c");
        s.sessionTo(b, d);                       // 2: a join; a misses it
        s.revoke(d);
        s.sessionTo(b);                          // 3: a removal, a new epoch; a misses it
        s.sessionTo(b);                          // 4: interval; a misses it
        SessionBroadcast b5 = s.session();       // 5: interval

        GroupMember.Reception got = receive(a, b5);

        assertEquals(List.of(2L, 3L, 4L), got.healed(), "a heals 2, 3 and 4 from B_5 (window 4)");
        assertEquals(sessions(1, 5), s.keysOf(a), "a holds the real keys of sessions 1..5");
    }

    @Test
    void healingSpansSeveralEpochsInOneWindow() {
        Scenario s = new Scenario(6, 2);
        Client a = s.join("a");
        Client[] leaving = {s.join("x"), s.join("y"), s.join("z")};
        s.sessionTo(a);                          // 1
        for (Client x : leaving) {
            s.revoke(x);
            s.session();                         // 2, 3, 4: each a new epoch, all missed by a
        }
        SessionBroadcast b5 = s.session();
        assertEquals(4, b5.epochs(), "the window 1..5 overlaps four epochs");

        receive(a, b5);

        assertEquals(sessions(1, 5), s.keysOf(a));
    }

    @Test
    void keysOlderThanTheWindowOfEveryReceivedBroadcastAreLost() {
        Scenario s = new Scenario(3, 3);
        Client a = s.join("a");
        s.sessionTo(a);                          // 1
        for (int i = 2; i <= 5; i++) {
            s.session();                         // 2..5 missed
        }
        receive(a, s.session());                 // 6: window 4..6

        assertEquals(List.of(1L, 4L, 5L, 6L), List.copyOf(s.keysOf(a)), "sessions 2 and 3 are out of reach");
    }

    @Test
    void aWindowOfOneHealsNothing() {
        Scenario s = new Scenario(1, 4);
        Client a = s.join("a");
        s.sessionTo(a);
        s.session();
        receive(a, s.session());

        assertEquals(List.of(1L, 3L), List.copyOf(s.keysOf(a)));
    }

    @Test
    void aMemberThatJoinedInsideTheWindowHealsOnlyFromItsJoin() {
        Scenario s = new Scenario(8, 5);
        s.sessionTo(s.join("a"), s.join("b"));   // 1
        s.session();                             // 2
        Client c = s.join("c");
        s.session();                             // 3: c joins, misses it
        s.session();                             // 4
        receive(c, s.session());                 // 5: window 1..5

        assertEquals(sessions(3, 5), s.keysOf(c));
    }

    @Test
    void aLateOrReplayedOlderBroadcastChangesNothing() {
        Scenario s = new Scenario(4, 6);
        Client a = s.join("a");
        SessionBroadcast b1 = s.sessionTo(a);
        s.sessionTo(a);
        byte[] before = a.member.encode();

        GroupMember.Reception got = receive(a, b1);

        assertEquals(List.of(), got.newSessions());
        assertEquals(java.util.HexFormat.of().formatHex(before), java.util.HexFormat.of().formatHex(a.member.encode()));
        assertEquals(2, a.member.latestSession());
    }

    private static GroupMember.Reception receive(Client c, SessionBroadcast b) {
        try {
            return c.member.receive(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
