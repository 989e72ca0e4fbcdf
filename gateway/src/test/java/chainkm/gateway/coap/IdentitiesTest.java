package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class IdentitiesTest {
    @Test
    void onlyCanonicalNodeIdentitiesNameANode() {
        assertEquals(OptionalInt.of(42), Identities.nodeIdOf("node-42"));
        assertEquals(OptionalInt.of(0), Identities.nodeIdOf("node-0"));
        for (String other : new String[] {"node-", "node-007", "node-+4", "node-4x", "node-99999999999", "boot-42", "42", null}) {
            assertEquals(OptionalInt.empty(), Identities.nodeIdOf(other), String.valueOf(other));
        }
    }

    @Test
    void bootstrapIdentitiesAreRecognisedByPrefix() {
        assertTrue(Identities.isBootstrap("boot-dev1"));
        assertFalse(Identities.isBootstrap("node-1"));
        assertFalse(Identities.isBootstrap(null));
    }

    @Test
    void numbersAreStrictDecimals() {
        assertEquals(OptionalLong.of(-1), Identities.parseLong("-1"));
        assertEquals(OptionalLong.of(Long.MAX_VALUE), Identities.parseLong(Long.toString(Long.MAX_VALUE)));
        assertEquals(OptionalInt.of(7), Identities.parseInt("7"));
        for (String bad : new String[] {"", "-", "+1", " 1", "1 ", "0x10", "1e3", "9223372036854775808"}) {
            assertEquals(OptionalLong.empty(), Identities.parseLong(bad), bad);
        }
        assertEquals(OptionalInt.empty(), Identities.parseInt("2147483648"));
    }

    @Test
    void printableTextIsShortAscii() {
        assertEquals("boot-?x", Identities.printable("boot-\nx"));
        assertEquals(67, Identities.printable("a".repeat(100)).length());
        assertEquals("(none)", Identities.printable(null));
    }
}
