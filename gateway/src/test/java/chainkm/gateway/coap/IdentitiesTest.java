package chainkm.gateway.coap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class IdentitiesTest {
    @Test
    void onlyCanonicalGatewayIdentitiesNameAGateway() {
        assertEquals(OptionalInt.of(3), Identities.gatewayIdOf("gateway-3"));
        assertEquals(OptionalInt.of(0), Identities.gatewayIdOf("gateway-0"));
        for (String other : new String[] {"gateway-", "gateway-007", "gateway-+4", "gateway--1", "gateway-4x",
                "gateway-99999999999", "node-3", "boot-3", "3", null}) {
            assertEquals(OptionalInt.empty(), Identities.gatewayIdOf(other), String.valueOf(other));
        }
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
