package chainkm.protocol.rekey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MqttCredentialTest {

    @Test
    void roundTrips() throws Exception {
        MqttCredential c = MqttCredential.of("dev-7", "Zm9vYmFy_-x");
        byte[] wire = c.encode();
        assertEquals(1, wire[0]);
        MqttCredential back = MqttCredential.decode(wire);
        assertEquals(c, back);
        assertEquals("dev-7", back.user());
        assertArrayEquals("Zm9vYmFy_-x".toCharArray(), back.password());
    }

    @Test
    void neverShowsThePassword() {
        assertFalse(MqttCredential.of("dev-7", "s3cret-pw").toString().contains("s3cret"));
    }

    @Test
    void refusesMalformedAnswers() {
        byte[] good = MqttCredential.of("dev-7", "pw").encode();
        byte[] version = good.clone();
        version[0] = 2;
        assertThrows(MessageFormatException.class, () -> MqttCredential.decode(version));
        assertThrows(MessageFormatException.class, () -> MqttCredential.decode(new byte[] {1, 5, 'd'}));
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(MessageFormatException.class, () -> MqttCredential.decode(trailing));
        assertThrows(MessageFormatException.class, () -> MqttCredential.decode(new byte[] {1, 2, 'a', ' ', 1, 'p'}));
        assertThrows(MessageFormatException.class, () -> MqttCredential.decode(new byte[] {1, 1, 'a', 1, ' '}));
        assertThrows(MessageFormatException.class, () -> MqttCredential.decode(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> MqttCredential.of("a b", "pw"));
        assertThrows(IllegalArgumentException.class, () -> MqttCredential.of("dev", ""));
    }
}
