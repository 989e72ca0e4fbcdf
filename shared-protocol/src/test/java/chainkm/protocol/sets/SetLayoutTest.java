package chainkm.protocol.sets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SetLayoutTest {

    /** Gateway 1: set 1 = {5, 9}; gateway 2: set 2 = {-3}; set 3 was created and emptied. */
    private static SetLayout sample() {
        SetLayout l = new SetLayout();
        l.add(9, 1, 1);
        l.add(-3, 2, 2);
        l.add(5, 1, 1);
        l.add(7, 3, 2);
        l.remove(7);
        return l;
    }

    private static byte[] bytes(int... ints) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 * ints.length);
        b.put((byte) 1);
        for (int i : ints) {
            b.putInt(i);
        }
        return b.array();
    }

    @Test
    void transferOwnershipHandsEverySetOfAGatewayToAnother() {
        SetLayout l = new SetLayout();
        l.add(10, 1, 2);
        l.add(11, 1, 2);
        l.add(20, 2, 3);
        l.add(12, 3, 2);
        SetLayout before = l.copy();
        assertEquals(List.of(1, 3), List.copyOf(l.transferOwnership(2, 3)));
        assertTrue(l.setsOwnedBy(2).isEmpty());
        assertEquals(List.of(1, 2, 3), List.copyOf(l.setsOwnedBy(3)));
        assertEquals(3, l.ownerOf(1));
        assertEquals(List.of(10, 11), List.copyOf(l.members(1)));
        assertEquals(OptionalInt.of(3), l.setOf(12));
        assertEquals(l, SetLayout.decode(l.encode()), "the new owners survive encoding");
        assertNotEquals(before, l);
        l.add(13, 1, 3); // the adopter assigns to its adopted sets
        assertThrows(IllegalArgumentException.class, () -> l.add(14, 1, 2));
        assertTrue(l.transferOwnership(2, 3).isEmpty(), "nothing left to hand over");
        assertThrows(IllegalArgumentException.class, () -> l.transferOwnership(3, 3));
    }

    @Test
    void encodingIsTheDocumentedFormat() {
        assertArrayEquals(bytes(4, 2, 1, 1, 2, 5, 9, 2, 2, 1, -3), sample().encode());
        assertArrayEquals(bytes(1, 0), new SetLayout().encode());
    }

    @Test
    void decodeInvertsEncode() {
        for (SetLayout l : List.of(new SetLayout(), sample())) {
            SetLayout back = SetLayout.decode(l.encode());
            assertEquals(l, back);
            assertEquals(l.hashCode(), back.hashCode());
            assertArrayEquals(l.encode(), back.encode());
            assertEquals(l.nextSetId(), back.nextSetId());
        }
        SetLayout back = SetLayout.decode(sample().encode());
        assertEquals(OptionalInt.of(1), back.setOf(5));
        assertEquals(2, back.ownerOf(2));
        assertEquals(List.of(1), List.copyOf(back.setsOwnedBy(1)));
    }

    @Test
    void equalityIsByContent() {
        SetLayout a = sample();
        SetLayout b = new SetLayout(); // same content, built in another order
        b.add(5, 1, 1);
        b.add(-3, 2, 2);
        b.add(7, 3, 2);
        b.remove(7);
        b.add(9, 1, 1);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());

        SetLayout c = a.copy();
        c.add(11, 1, 1);
        assertNotEquals(a, c);
        assertFalse(a.isMember(11), "copy is deep");

        // Same sets but a different nextSetId is a different layout (ids are never reused).
        SetLayout d = new SetLayout();
        d.add(5, 1, 1);
        d.add(9, 1, 1);
        d.add(-3, 2, 2);
        assertNotEquals(a, d);
    }

    @Test
    void malformedInputIsRefused() {
        List<byte[]> bad = List.of(
                new byte[0],
                new byte[] {2, 0, 0, 0, 1, 0, 0, 0, 0},       // unknown version
                bytes(0, 0),                                  // nextSetId below 1
                bytes(1, -1),                                 // negative set count
                bytes(2, 1, 1, 1, 1, 5, 0),                   // trailing bytes
                bytes(2, 1, 1, 1, 2, 5),                      // truncated
                bytes(2, 1, 1, 1, 0),                         // empty set
                bytes(2, 1, 1, 0, 1, 5),                      // owner 0
                bytes(2, 1, 2, 1, 1, 5),                      // set id not below nextSetId
                bytes(3, 2, 2, 1, 1, 5, 1, 1, 1, 6),          // set ids not ascending
                bytes(2, 1, 1, 1, 2, 9, 5),                   // members not ascending
                bytes(2, 1, 1, 1, 2, 5, 5),                   // duplicate member
                bytes(3, 2, 1, 1, 1, 5, 2, 2, 1, 5),          // node in two sets
                bytes(2, 1, 1, 1, Integer.MAX_VALUE));        // absurd member count
        for (byte[] b : bad) {
            assertThrows(IllegalArgumentException.class, () -> SetLayout.decode(b), Arrays.toString(b));
        }
        byte[] good = sample().encode();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] prefix = Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> SetLayout.decode(prefix), "prefix " + cut);
        }
    }

    @Test
    void addRefusesWhatItCannotDo() {
        SetLayout l = sample();
        assertThrows(IllegalStateException.class, () -> l.add(5, 1, 1), "already a member");
        assertThrows(IllegalArgumentException.class, () -> l.add(20, 3, 2), "removed set");
        assertThrows(IllegalArgumentException.class, () -> l.add(20, 99, 1), "never created");
        assertThrows(IllegalArgumentException.class, () -> l.add(20, 2, 1), "set of another gateway");
        assertThrows(IllegalArgumentException.class, () -> l.add(20, l.nextSetId(), 0), "gateway 0");
        assertEquals(sample(), l, "refusals change nothing");
    }

    @Test
    void emptiedSetDisappearsAndItsIdIsNeverReused() {
        SetLayout l = sample();
        l.remove(-3);
        assertEquals(List.of(1), List.copyOf(l.setIds()));
        assertTrue(l.members(2).isEmpty());
        assertTrue(l.setsOwnedBy(2).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> l.ownerOf(2));
        assertEquals(4, l.nextSetId());
        l.add(-3, l.nextSetId(), 2);
        assertEquals(OptionalInt.of(4), l.setOf(-3));
        assertThrows(IllegalArgumentException.class, () -> l.remove(12345));
    }

    @Test
    void moveStaysWithinTheOwnerAndCanOpenASet() {
        SetLayout l = sample();
        int fresh = l.nextSetId();
        l.move(9, fresh);
        assertEquals(1, l.ownerOf(fresh));
        assertEquals(List.of(5), List.copyOf(l.members(1)));
        l.move(5, fresh); // empties set 1, which disappears
        assertEquals(List.of(2, fresh), List.copyOf(l.setIds()));
        assertThrows(IllegalArgumentException.class, () -> l.move(5, 2), "other gateway");
        assertThrows(IllegalArgumentException.class, () -> l.move(5, fresh), "same set");
        assertThrows(IllegalArgumentException.class, () -> l.move(77, fresh), "not a member");
        assertEquals(3, l.memberCount());
    }

    @Test
    void viewsAreReadOnlyAndSorted() {
        SetLayout l = sample();
        assertThrows(UnsupportedOperationException.class, () -> l.members(1).add(3));
        assertThrows(UnsupportedOperationException.class, () -> l.setIds().clear());
        assertEquals(List.of(5, 9), List.copyOf(l.members(1)));
        assertEquals(2, l.memberCountOf(1));
        assertEquals(List.of(1, 2), List.copyOf(l.owners()));
    }
}
