package chainkm.protocol.rekey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CatchUpPayloadTest {
    @Test
    void messagesRoundTripInOrder() throws MessageFormatException {
        List<byte[]> messages = List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {9});
        byte[] payload = CatchUpPayload.encode(messages);
        assertArrayEquals(new byte[] {0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 9}, payload);
        List<byte[]> decoded = CatchUpPayload.decode(payload);
        assertEquals(3, decoded.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(messages.get(i), decoded.get(i));
        }
    }

    @Test
    void anEmptyPayloadIsNoMessages() throws MessageFormatException {
        assertEquals(List.of(), CatchUpPayload.decode(new byte[0]));
    }

    @Test
    void truncatedOrInconsistentPayloadsAreRefused() {
        assertThrows(MessageFormatException.class, () -> CatchUpPayload.decode(new byte[] {0, 0, 0}));
        assertThrows(MessageFormatException.class, () -> CatchUpPayload.decode(new byte[] {0, 0, 0, 2, 7}));
        assertThrows(MessageFormatException.class, () -> CatchUpPayload.decode(new byte[] {(byte) 0xff, 0, 0, 0}));
        assertThrows(MessageFormatException.class, () -> CatchUpPayload.decode(new byte[] {0, 0, 0, 1, 7, 0}));
    }
}
