package chainkm.protocol.groupkey;

import static chainkm.protocol.groupkey.Scenario.sessions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.groupkey.Scenario.Client;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Properties (b) and (c), by the attack: revoked and expired members compute no key of a later
 * session, new members none of an earlier one, and pooling everything they hold (the
 * revoked-member/new-member collusion that breaks dual hash chains) gives nothing more than the
 * sessions one of them was a member of.
 */
class ExclusionTest {

    @Test
    void aRevokedMemberComputesNoKeyOfALaterSession() {
        Scenario s = new Scenario(4, 11);
        Client a = s.join("a");
        Client r = s.join("r");
        s.sessionTo(a, r);                       // 1
        s.sessionTo(a, r);                       // 2
        s.revoke(r);
        for (int i = 3; i <= 8; i++) {
            s.sessionTo(a, r);                   // r listens on: each broadcast says it is not included
        }

        assertEquals(sessions(1, 2), s.keysOf(r));
        assertEquals(sessions(1, 2), s.coalitionReach(true, r), "nothing more from its secret and every broadcast");
        assertEquals(sessions(1, 8), s.keysOf(a));
        assertEquals(1, s.gm.revocations());
    }

    @Test
    void anExpiredMemberComputesNoKeyOfALaterSessionEvenWhenItWasOnlyDueAnInterval() {
        Scenario s = new Scenario(4, 12);
        Client x = s.join("x");
        s.sessionTo(x);                          // 1
        s.sessionTo(x);                          // 2
        s.expire(x);
        s.sessionTo(x);                          // 3: the expiry's session opens an epoch
        s.sessionTo(x);                          // 4

        assertEquals(sessions(1, 2), s.keysOf(x));
        assertEquals(sessions(1, 2), s.coalitionReach(true, x));
        assertEquals(3, s.gm.epochStart());
        assertEquals(1, s.gm.expiries());
    }

    @Test
    void aNewMemberComputesNoKeyOfAnEarlierSession() {
        Scenario s = new Scenario(8, 13);
        Client a = s.join("a");
        for (int i = 1; i <= 5; i++) {
            s.sessionTo(a);
        }
        Client j = s.join("j");
        s.sessionTo(a, j);                       // 6: window 1..6, j's first session
        for (SessionBroadcast old : s.broadcasts.subList(0, 5)) {
            s.deliver(old, j);                   // the retained and replayed older broadcasts
        }
        s.sessionTo(a, j);                       // 7

        assertEquals(sessions(6, 7), s.keysOf(j));
        assertEquals(sessions(6, 7), s.coalitionReach(true, j));
    }

    @Test
    void revokedExpiredAndLaterMembersPoolingEverythingComputeNothingInTheirGaps() {
        Scenario s = new Scenario(8, 14);
        Client honest = s.join("honest");
        Client r = s.join("r");
        Client x = s.join("x");
        s.session();                             // 1
        s.session();                             // 2
        s.revoke(r);
        s.session();                             // 3: r out
        s.session();                             // 4
        Client j1 = s.join("j1");
        s.session();                             // 5: j1 in (its window 1..5 covers r's gap)
        s.expire(x);
        s.session();                             // 6: x out
        s.session();                             // 7
        s.session();                             // 8
        Client j2 = s.join("j2");
        s.session();                             // 9: j2 in
        s.revoke(j1);
        s.session();                             // 10
        s.session();                             // 11

        TreeSet<Long> reach = s.coalitionReach(true, r, x, j1, j2);

        // r: 1..2, x: 1..5, j1: 5..9, j2: 9..11
        assertEquals(s.entitled(r, x, j1, j2), reach);
        assertEquals(sessions(1, 11), reach, "x and j1 overlap, so the union has no gap here");

        TreeSet<Long> pair = s.coalitionReach(true, r, j1);
        assertEquals(s.entitled(r, j1), pair);
        assertFalse(pair.contains(3L) || pair.contains(4L), "r (out at 3) and j1 (in at 5) get nothing of 3 and 4");
        assertTrue(s.gm.memberCount() == 2 && honest.memberAt(11));
    }

    @Test
    void aCtiAddedAgainAfterItsRemovalGetsNothingOfTheSessionsBetween() throws Exception {
        Scenario s = new Scenario(8, 16);
        Client a = s.join("a");
        s.sessionTo(a);                          // 1
        s.revoke(a);
        s.session();                             // 2
        s.session();                             // 3
        s.gm.addMember(a.cti);                   // the same token again (the ledger never re-grants a cti)
        SessionBroadcast b4 = s.session();       // 4: window 1..4
        s.deliver(s.broadcasts.get(1), a);
        s.deliver(s.broadcasts.get(2), a);
        assertTrue(a.member.receive(b4).included());

        assertEquals(java.util.List.of(1L, 4L), java.util.List.copyOf(a.member.sessions()));
        assertEquals(java.util.List.of(1L, 4L), java.util.List.copyOf(s.coalitionReach(true, a)));
    }

    @Test
    void theSameCollusionBreaksANaiveDualHashChain() {
        // the attack, on the scheme it was found on: a forward chain handed out at join, a
        // backward chain one value per session; r leaves at 4, j joins at 7
        NaiveDualChain naive = new NaiveDualChain(10, 15);
        TreeSet<Long> gap = naive.collusion(1, 4, 7);

        assertEquals(sessions(4, 6), gap, "r's forward value and j's backward value open 4..6");
    }
}
