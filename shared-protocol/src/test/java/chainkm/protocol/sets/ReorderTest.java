package chainkm.protocol.sets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderTest {

    /** Puts nodes from..to (inclusive) into a new set of the gateway; returns its id. */
    private static int newSet(SetLayout l, int gateway, int from, int to) {
        int set = l.nextSetId();
        for (int node = from; node <= to; node++) {
            l.add(node, set, gateway);
        }
        return set;
    }

    @Test
    void leaveThatMakesRoomMergesTheSmallestSet() {
        SetLayout l = new SetLayout();
        int a = newSet(l, 1, 1, 3);
        int b = newSet(l, 1, 4, 6);
        int c = newSet(l, 1, 7, 9);
        l.remove(1);
        assertEquals(List.of(), Reorder.afterLeave(l, a, 1), "n=8, k=3: no room anywhere");
        l.remove(2);
        assertEquals(List.of(), Reorder.afterLeave(l, a, 1), "n=7, k=3: still no room");
        l.remove(4);
        // n=6, k=3: set a = {3} fits into the one free place of set b.
        assertEquals(List.of(new SetMove(3, a, b)), Reorder.afterLeave(l, b, 1));
        assertEquals(List.of(b, c), List.copyOf(l.setIds()));
        assertEquals(List.of(3, 5, 6), List.copyOf(l.members(b)));
        LayoutBounds.check(l, 1);
        LayoutBounds.checkCompact(l, 1);
    }

    @Test
    void onlyTheLeaversGatewayIsMerged() {
        SetLayout l = new SetLayout();
        int a = newSet(l, 1, 1, 1);
        int b = newSet(l, 1, 2, 3);
        newSet(l, 2, 100, 100);
        newSet(l, 2, 101, 101);
        l.remove(3);
        // n=4, k=2: gateway 1's sets {1} and {2} merge (lowest id dissolves on a tie).
        assertEquals(List.of(new SetMove(1, a, b)), Reorder.afterLeave(l, b));
        LayoutBounds.checkCompact(l, 1);
        // Gateway 2 could merge too, but a leave at gateway 1 leaves it alone.
        assertThrows(IllegalStateException.class, () -> LayoutBounds.checkCompact(l, 2));
        assertEquals(2, l.setsOwnedBy(2).size());
    }

    @Test
    void staleSetsCascadeIntoOne() {
        SetLayout l = new SetLayout();
        for (int i = 0; i < 4; i++) { // gateway 1 filled four sets while n was small
            newSet(l, 1, 2 * i + 1, 2 * i + 2);
        }
        for (int i = 0; i < 10; i++) { // then gateway 2 grew n to 108
            newSet(l, 2, 100 + 10 * i, 109 + 10 * i);
        }
        l.remove(8);
        List<SetMove> moves = Reorder.afterLeave(l, 4, 1); // n=107, k=11
        assertEquals(1, l.setsOwnedBy(1).size());
        int survivor = l.setsOwnedBy(1).first();
        assertEquals(7, l.size(survivor));
        assertEquals(5, moves.size(), "the survivor kept its own 2 members");
        assertTrue(moves.stream().allMatch(m -> l.setOf(m.nodeId()).getAsInt() == survivor));
        assertEquals(10, l.setsOwnedBy(2).size());
    }

    @Test
    void leaveOfTheLastMemberRemovesTheSet() {
        SetLayout l = new SetLayout();
        int a = newSet(l, 1, 1, 2);
        int b = newSet(l, 1, 3, 3);
        l.remove(3);
        assertFalse(l.setIds().contains(b));
        assertEquals(List.of(), Reorder.afterLeave(l, b));
        assertEquals(List.of(), Reorder.afterLeave(l, b, 1));
        assertEquals(List.of(a), List.copyOf(l.setIds()));

        l.remove(1);
        l.remove(2);
        assertEquals(List.of(), Reorder.afterLeave(l, a, 1));
        assertEquals(0, l.setCount());
        assertEquals(3, l.nextSetId());
    }

    @Test
    void setTooBigAfterNShrankIsCutIntoEvenNewSets() {
        SetLayout l = new SetLayout();
        int big = newSet(l, 1, 1, 10);
        int other = newSet(l, 2, 100, 105);
        l.remove(105);
        // n=15, k=4: set big has 10 > 2k = 8 members; it keeps 4, six others go to two new sets of 3.
        int first = l.nextSetId();
        List<SetMove> moves = Reorder.afterLeave(l, other, 2);
        assertEquals(List.of(new SetMove(5, big, first), new SetMove(6, big, first), new SetMove(7, big, first),
                new SetMove(8, big, first + 1), new SetMove(9, big, first + 1), new SetMove(10, big, first + 1)),
                moves);
        assertEquals(List.of(1, 2, 3, 4), List.copyOf(l.members(big)));
        assertEquals(1, l.ownerOf(first));
        assertEquals(1, l.ownerOf(first + 1));
        LayoutBounds.check(l, 2);
    }

    @Test
    void cutFillsTheOwnersRoomBeforeOpeningSets() {
        SetLayout l = new SetLayout();
        int big = newSet(l, 1, 1, 10);
        int small = newSet(l, 1, 11, 11);
        newSet(l, 2, 100, 104);
        l.remove(104);
        // n=15, k=4: 5, 6, 7 fill set small up to 4; 8, 9, 10 open one new set.
        List<SetMove> moves = Reorder.afterLeave(l, big);
        assertEquals(6, moves.size());
        assertEquals(List.of(5, 6, 7, 11), List.copyOf(l.members(small)));
        assertEquals(3, l.setsOwnedBy(1).size());
        LayoutBounds.check(l, 2);
    }

    @Test
    void refusesSetsThatNeverExistedOrBelongToAnotherGateway() {
        SetLayout l = new SetLayout();
        int a = newSet(l, 1, 1, 2);
        assertThrows(IllegalArgumentException.class, () -> Reorder.afterLeave(l, l.nextSetId()));
        assertThrows(IllegalArgumentException.class, () -> Reorder.afterLeave(l, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Reorder.afterLeave(l, a, 2));
        assertThrows(IllegalArgumentException.class, () -> Reorder.afterLeave(l, a, 0));
    }
}
