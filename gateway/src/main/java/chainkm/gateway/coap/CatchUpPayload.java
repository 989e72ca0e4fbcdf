package chainkm.gateway.coap;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The body of a {@code GET /catchup} response: the rekey messages in order, each one
 * preceded by its length as a 4-byte big-endian int. The device decodes it with its own
 * {@code chainkm.device.coap.CatchUpPayload}.
 */
final class CatchUpPayload {
    private CatchUpPayload() {
    }

    static byte[] encode(List<byte[]> messages) {
        long total = 0;
        for (byte[] message : messages) {
            total += Integer.BYTES + (long) message.length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("catch-up payload too large: " + total + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total);
        for (byte[] message : messages) {
            out.putInt(message.length).put(message);
        }
        return out.array();
    }
}
