package chainkm.device.coap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of the gateway's {@code GET /catchup} response: the rekey messages in order, each
 * one preceded by its length as a 4-byte big-endian int. The gateway encodes it with its own
 * {@code chainkm.gateway.coap.CatchUpPayload}.
 */
final class CatchUpPayload {
    private CatchUpPayload() {
    }

    static byte[] encode(List<byte[]> messages) {
        int total = 0;
        for (byte[] message : messages) {
            total = Math.addExact(total, Integer.BYTES + message.length);
        }
        ByteBuffer out = ByteBuffer.allocate(total);
        for (byte[] message : messages) {
            out.putInt(message.length).put(message);
        }
        return out.array();
    }

    static List<byte[]> decode(byte[] payload) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        List<byte[]> messages = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < Integer.BYTES) {
                throw new IOException("malformed catch-up payload: " + in.remaining()
                        + " trailing bytes at offset " + in.position());
            }
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IOException("malformed catch-up payload: message of " + length + " bytes at offset "
                        + (in.position() - Integer.BYTES) + ", " + in.remaining() + " bytes left");
            }
            byte[] message = new byte[length];
            in.get(message);
            messages.add(message);
        }
        return messages;
    }
}
