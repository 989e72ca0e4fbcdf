package chainkm.protocol.d2d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainkm.protocol.rekey.MessageFormatException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NodeIdentityTest {
    @Test
    void roundTripsAndRefusesMalformedAnswers() throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        NodeIdentity id = new NodeIdentity(42, "dev-7", key);
        byte[] wire = id.encode();
        NodeIdentity back = NodeIdentity.decode(wire);
        assertEquals(42, back.node());
        assertEquals("dev-7", back.name());
        assertArrayEquals(key, back.key());
        assertThrows(MessageFormatException.class, () -> NodeIdentity.decode(Arrays.copyOf(wire, wire.length - 1)));
        assertThrows(MessageFormatException.class, () -> NodeIdentity.decode(Arrays.copyOf(wire, 20)));
        byte[] badUtf8 = wire.clone();
        badUtf8[badUtf8.length - 1] = (byte) 0xff;
        assertThrows(MessageFormatException.class, () -> NodeIdentity.decode(badUtf8));
        assertThrows(IllegalArgumentException.class, () -> new NodeIdentity(1, "", key));
        assertThrows(IllegalArgumentException.class, () -> new NodeIdentity(1, "x", new byte[31]));
    }
}
