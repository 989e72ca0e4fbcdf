package chainkm.protocol.sets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssignmentTest {

    private static int join(SetLayout l, int node, int gateway) {
        int set = Assignment.selectSet(l, gateway);
        l.add(node, set, gateway);
        return set;
    }

    @Test
    void firstJoinCreatesTheFirstSet() {
        SetLayout l = new SetLayout();
        assertEquals(SetLayout.FIRST_SET_ID, Assignment.selectSet(l, 3));
        join(l, 100, 3);
        assertEquals(3, l.ownerOf(SetLayout.FIRST_SET_ID));
    }

    @Test
    void setsFillUpToTheTargetThenANewSetOpens() {
        SetLayout l = new SetLayout();
        for (int node = 1; node <= 500; node++) {
            int set = Assignment.selectSet(l, 1);
            int target = LayoutBounds.targetSetSize(l.memberCount() + 1);
            if (set == l.nextSetId()) {
                for (int s : l.setIds()) { // a new set only when every set is at the target
                    assertTrue(l.size(s) >= target, "set " + s + " below target " + target);
                }
            } else {
                assertTrue(l.size(set) < target);
            }
            l.add(node, set, 1);
            LayoutBounds.check(l, 1);
        }
        // 500 members, target 23: sets hold at most 23, and there are ceil(500 / 23) = 22 of them.
        assertEquals(22, l.setCount());
    }

    @Test
    void exactSequenceForOneGateway() {
        SetLayout l = new SetLayout();
        // k(1)=1: {1}; k(2)=2: set 1; k(3)=2: new set 2; k(4)=2: set 2; k(5)=3: emptiest, lowest id.
        assertEquals(List.of(1, 1, 2, 2, 1, 2), List.of(join(l, 1, 1), join(l, 2, 1), join(l, 3, 1),
                join(l, 4, 1), join(l, 5, 1), join(l, 6, 1)));
    }

    @Test
    void picksTheEmptiestSetOfTheJoiningGatewayOnly() {
        SetLayout l = new SetLayout();
        for (int node = 1; node <= 6; node++) {
            l.add(node, node <= 3 ? 1 : 2, 1); // gateway 1: set 1 = 3 members, set 2 = 3 members
        }
        l.add(50, 3, 2);                        // gateway 2: set 3 = 1 member
        l.remove(2);                            // set 1 now has 2
        // n becomes 7, target 3: set 1 (2 members) has room; gateway 2's emptier set 3 is ignored.
        assertEquals(1, Assignment.selectSet(l, 1));
        assertEquals(3, Assignment.selectSet(l, 2));
        assertEquals(l.nextSetId(), Assignment.selectSet(l, 9)); // a gateway without sets opens one
        assertThrows(IllegalArgumentException.class, () -> Assignment.selectSet(l, 0));
    }

    @Test
    void otherGatewaysOnlyMatterThroughN() {
        SetLayout a = new SetLayout();
        SetLayout b = new SetLayout();
        for (int node = 1; node <= 10; node++) {
            a.add(node, node <= 4 ? 1 : 2, 1);
            b.add(node, node <= 4 ? 1 : 2, 1);
        }
        // Same 20 members at gateway 2, spread differently.
        for (int node = 11; node <= 30; node++) {
            a.add(node, 3, 2); // one set of 20
        }
        int set = b.nextSetId();
        for (int node = 11; node <= 30; node++) {
            if (node % 5 == 1 && node > 11) { // four sets of 5
                set = b.nextSetId();
            }
            b.add(node, set, 2);
        }
        assertEquals(a.memberCount(), b.memberCount());
        assertEquals(Assignment.selectSet(a, 1), Assignment.selectSet(b, 1));
    }

    @Test
    void resultDoesNotDependOnInsertionOrder() {
        // Build the same content in many orders; hash order, if it leaked in, would show up here.
        List<int[]> adds = new ArrayList<>(); // {node, set, gateway}
        Random rnd = new Random(7);
        SetLayout reference = new SetLayout();
        for (int node = 0; node < 300; node++) {
            int gateway = 1 + rnd.nextInt(4);
            int id = node * 7919 - 1_000_000; // spread ids, negatives included
            int set = join(reference, id, gateway);
            adds.add(new int[] {id, set, gateway});
        }
        for (int trial = 0; trial < 20; trial++) {
            List<int[]> shuffled = new ArrayList<>(adds);
            Collections.shuffle(shuffled, new Random(trial));
            SetLayout l = new SetLayout();
            while (l.nextSetId() < reference.nextSetId()) { // create every set first, in id order
                int want = l.nextSetId();
                int[] first = shuffled.stream().filter(a -> a[1] == want).findFirst().orElseThrow();
                l.add(first[0], first[1], first[2]);
            }
            for (int[] a : shuffled) {
                if (!l.isMember(a[0])) {
                    l.add(a[0], a[1], a[2]);
                }
            }
            assertArrayEquals(reference.encode(), l.encode());
            for (int g = 1; g <= 5; g++) {
                assertEquals(Assignment.selectSet(reference, g), Assignment.selectSet(l, g));
            }
        }
    }
}
