package chainkm.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KeyIdTest {
    @Test
    void hasACanonicalTextForm() {
        assertEquals("nk:12", KeyId.nodeKey(12).toString());
        assertEquals("sk:3", KeyId.setKey(3).toString());
        assertEquals("pnk:12-40", KeyId.pairwiseNodeKey(40, 12).toString());
        assertEquals("psk:3-7", KeyId.pairwiseSetKey(3, 7).toString());
        assertEquals("nk:2147483647", KeyId.nodeKey(Integer.MAX_VALUE).toString());
    }

    @Test
    void pairsAreUnordered() {
        assertEquals(KeyId.pairwiseNodeKey(12, 40), KeyId.pairwiseNodeKey(40, 12));
        assertEquals(KeyId.pairwiseNodeKey(12, 40).hashCode(), KeyId.pairwiseNodeKey(40, 12).hashCode());
        assertEquals(12, KeyId.pairwiseNodeKey(40, 12).first());
        assertEquals(40, KeyId.pairwiseNodeKey(40, 12).second());
    }

    @Test
    void kindsAreDistinctEvenWithTheSameIds() {
        assertNotEquals(KeyId.nodeKey(3), KeyId.setKey(3));
        assertNotEquals(KeyId.pairwiseNodeKey(3, 7), KeyId.pairwiseSetKey(3, 7));
    }

    @Test
    void parsesWhatItPrints() {
        for (String s : List.of("nk:0", "nk:12", "sk:3", "pnk:12-40", "psk:3-7", "psk:0-2147483647")) {
            assertEquals(s, KeyId.parse(s).toString());
        }
        assertEquals(KeyId.pairwiseSetKey(7, 3), KeyId.parse("psk:3-7"));
    }

    @Test
    void refusesNonCanonicalText() {
        for (String s : List.of("", "nk", "nk:", "xk:1", "NK:1", "nk:01", "nk:+1", "nk:-1", "nk: 1", "nk:1 ",
                "nk:2147483648", "nk:99999999999", "nk:1-2", "pnk:12", "pnk:40-12", "pnk:5-5", "pnk:1-", "pnk:-1",
                "pnk:1-2-3", "sk:1a", "psk:03-7")) {
            assertThrows(IllegalArgumentException.class, () -> KeyId.parse(s), s);
        }
    }

    @Test
    void refusesNegativeIdsAndSelfPairs() {
        assertThrows(IllegalArgumentException.class, () -> KeyId.nodeKey(-1));
        assertThrows(IllegalArgumentException.class, () -> KeyId.pairwiseSetKey(3, Integer.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> KeyId.pairwiseNodeKey(4, 4));
        assertThrows(IllegalArgumentException.class, () -> KeyId.of(KeyKind.NODE_KEY, 1, 2));
        assertEquals(KeyId.nodeKey(1), KeyId.of(KeyKind.NODE_KEY, 1, 1));
        assertEquals(KeyId.pairwiseNodeKey(1, 2), KeyId.of(KeyKind.PAIRWISE_NODE_KEY, 2, 1));
    }

    @Test
    void encodesToKindCodeThenBigEndianIds() {
        assertEquals("010000000c", Hex.encode(KeyId.nodeKey(12).encode()));
        assertEquals("0200000003", Hex.encode(KeyId.setKey(3).encode()));
        assertEquals("030000000c00000028", Hex.encode(KeyId.pairwiseNodeKey(40, 12).encode()));
        assertEquals("040000000300000007", Hex.encode(KeyId.pairwiseSetKey(3, 7).encode()));
    }

    @Test
    void decodesWhatItEncodes() {
        List<KeyId> ids = List.of(KeyId.nodeKey(0), KeyId.setKey(Integer.MAX_VALUE), KeyId.pairwiseNodeKey(1, 2),
                KeyId.pairwiseSetKey(70000, 3));
        ByteBuffer buffer = ByteBuffer.allocate(64);
        for (KeyId id : ids) {
            assertEquals(id, KeyId.decode(id.encode()));
            assertEquals(id.encodedLength(), id.encode().length);
            id.encodeTo(buffer);
        }
        buffer.flip();
        for (KeyId id : ids) {
            assertEquals(id, KeyId.decodeFrom(buffer));
        }
        assertFalse(buffer.hasRemaining());
    }

    @Test
    void refusesMalformedBytes() {
        for (String hex : List.of("", "00", "050000000c", "010000000c00", "0100000c", "0300000028", "030000002800000028",
                "03000000280000000c", "01ffffffff", "030000000180000000")) {
            assertThrows(IllegalArgumentException.class, () -> KeyId.decode(Hex.decode(hex)), hex);
        }
    }

    @Test
    void sortsByKindThenIds() {
        List<KeyId> sorted = List.of(KeyId.nodeKey(2), KeyId.nodeKey(10), KeyId.setKey(1), KeyId.pairwiseNodeKey(1, 9),
                KeyId.pairwiseNodeKey(2, 3), KeyId.pairwiseNodeKey(2, 4), KeyId.pairwiseSetKey(0, 1));
        List<KeyId> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new java.util.Random(1));
        assertEquals(sorted, new ArrayList<>(new TreeSet<>(shuffled)));
    }

    @Test
    void answersWhichNodesAndSetsAKeyInvolves() {
        KeyId pnk = KeyId.pairwiseNodeKey(12, 40);
        assertTrue(pnk.involvesNode(12));
        assertTrue(pnk.involvesNode(40));
        assertFalse(pnk.involvesNode(13));
        assertFalse(pnk.involvesSet(12));
        assertEquals(40, pnk.other(12));
        assertEquals(12, pnk.other(40));
        assertThrows(IllegalArgumentException.class, () -> pnk.other(7));
        assertTrue(KeyId.setKey(3).involvesSet(3));
        assertFalse(KeyId.setKey(3).involvesNode(3));
        assertTrue(KeyId.pairwiseSetKey(3, 7).involvesSet(7));
        assertThrows(IllegalArgumentException.class, () -> KeyId.nodeKey(3).other(3));
    }

    @Test
    void kindsHaveStableCodesAndPrefixes() {
        for (KeyKind kind : KeyKind.values()) {
            assertEquals(kind, KeyKind.fromCode(kind.code()));
            assertEquals(kind, KeyKind.fromPrefix(kind.prefix()));
        }
        assertArrayEquals(new int[] {1, 2, 3, 4},
                java.util.Arrays.stream(KeyKind.values()).mapToInt(KeyKind::code).toArray());
        assertTrue(KeyKind.NODE_KEY.isKek());
        assertTrue(KeyKind.SET_KEY.isKek());
        assertFalse(KeyKind.PAIRWISE_NODE_KEY.isKek());
        assertTrue(KeyKind.PAIRWISE_SET_KEY.isPairwise());
    }
}
