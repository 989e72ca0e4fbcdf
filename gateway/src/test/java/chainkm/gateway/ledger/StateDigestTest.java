package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The multiset hash on its own: order, duplicates, removal, and its modulus. */
class StateDigestTest {
    private static byte[] entry(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] digestOf(String... entries) {
        StateDigest d = StateDigest.empty();
        for (String e : entries) {
            d.add(entry(e));
        }
        return d.value();
    }

    @Test
    void theOrderOfTheEntriesDoesNotMatter() {
        assertArrayEquals(digestOf("a", "b", "c"), digestOf("c", "a", "b"));
        assertFalse(Arrays.equals(digestOf("a", "b"), digestOf("a", "c")));
        assertFalse(Arrays.equals(digestOf("a", "b"), digestOf("ab")));
    }

    @Test
    void anEntryTwiceIsNeitherOnceNorNone() {
        // what an XOR of hashes gets wrong: a duplicate would cancel out
        byte[] twice = digestOf("a", "a");
        assertFalse(Arrays.equals(twice, digestOf("a")));
        assertFalse(Arrays.equals(twice, digestOf()));
        assertFalse(Arrays.equals(digestOf("a", "a", "b"), digestOf("b")));
    }

    @Test
    void addingThenRemovingReturnsToThePreviousDigest() {
        StateDigest d = StateDigest.empty();
        d.add(entry("a"));
        d.add(entry("b"));
        byte[] before = d.value();
        d.add(entry("c"));
        assertFalse(Arrays.equals(before, d.value()));
        d.remove(entry("c"));
        assertArrayEquals(before, d.value());
        // removal before the add it undoes, and a replace, in any order
        d.remove(entry("x"));
        d.replace(entry("b"), entry("y"));
        d.add(entry("x"));
        d.replace(entry("y"), entry("b"));
        assertArrayEquals(before, d.value());
    }

    @Test
    void aCopyGoesItsOwnWay() {
        StateDigest d = StateDigest.empty();
        d.add(entry("a"));
        StateDigest c = d.copy();
        c.add(entry("b"));
        assertArrayEquals(digestOf("a"), d.value());
        assertArrayEquals(digestOf("a", "b"), c.value());
    }

    @Test
    void theModulusIsA3072BitPrime() {
        assertTrue(StateDigest.MODULUS.bitLength() == 3072);
        assertTrue(StateDigest.MODULUS.isProbablePrime(40));
    }
}
