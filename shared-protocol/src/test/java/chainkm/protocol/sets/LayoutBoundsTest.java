package chainkm.protocol.sets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LayoutBoundsTest {

    @Test
    void formulas() {
        int[][] target = {{0, 0}, {1, 1}, {2, 2}, {4, 2}, {5, 3}, {2000, 45}, {2025, 45}, {2026, 46},
            {Integer.MAX_VALUE, 46341}};
        for (int[] t : target) {
            assertEquals(t[1], LayoutBounds.targetSetSize(t[0]), "k(" + t[0] + ")");
            assertEquals(2 * t[1], LayoutBounds.maxSetSize(t[0]));
        }
        assertEquals(1 + 10, LayoutBounds.maxSetCount(100, 1));   // floor(sqrt(100)) + 1
        assertEquals(20 + 4, LayoutBounds.maxSetCount(100, 4));   // floor(2 sqrt(100)) + 4
        assertEquals(20 + 10, LayoutBounds.maxSetCount(100, 10));
        assertEquals(14 + 2, LayoutBounds.maxSetCount(100, 2));   // floor(sqrt(200)) + 2
        assertEquals(3, LayoutBounds.maxSetCount(0, 3));
        assertTrue(LayoutBounds.maxSetCount(Integer.MAX_VALUE, 1000) > 0, "no overflow");
        assertEquals(0, LayoutBounds.maxSetsOfGateway(0));
        assertEquals(1, LayoutBounds.maxSetsOfGateway(1));
        assertEquals(3, LayoutBounds.maxSetsOfGateway(10));      // ceil(10 / 4)
        assertEquals(10, LayoutBounds.maxSetsOfGateway(100));
        assertThrows(IllegalArgumentException.class, () -> LayoutBounds.targetSetSize(-1));
        assertThrows(IllegalArgumentException.class, () -> LayoutBounds.maxSetCount(5, 0));
    }

    private static void assertViolates(String bound, SetLayout l, int gateways) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LayoutBounds.check(l, gateways));
        assertTrue(e.getMessage().contains(bound), e.getMessage());
    }

    @Test
    void checkNamesTheViolatedBound() {
        SetLayout big = new SetLayout();
        for (int node = 1; node <= 9; node++) {
            big.add(node, 1, 1); // n=9: 2k = 6 < 9
        }
        assertViolates("maxSetSize", big, 1);

        SetLayout spread = new SetLayout();
        for (int node = 1; node <= 4; node++) {
            spread.add(node, spread.nextSetId(), 1); // 4 sets of 1 for 4 members: at most 2
        }
        assertViolates("maxSetsOfGateway", spread, 1);

        SetLayout foreign = new SetLayout();
        foreign.add(1, 1, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LayoutBounds.check(foreign, 4));
        assertTrue(e.getMessage().contains("outside 1..4"), e.getMessage());
        LayoutBounds.check(foreign, 5);
        LayoutBounds.check(new SetLayout(), 1);
    }

    @Test
    void checkCompactSpotsAMergeableSet() {
        SetLayout l = new SetLayout();
        l.add(1, 1, 1);
        l.add(2, 1, 1);
        l.add(3, 2, 1);
        LayoutBounds.checkCompact(l, 1); // n=3, k=2: {3} does not fit into set 1 (full)
        l.remove(2);
        assertThrows(IllegalStateException.class, () -> LayoutBounds.checkCompact(l, 1));
        LayoutBounds.checkCompact(l, 7); // a gateway without sets is trivially compact
    }
}
