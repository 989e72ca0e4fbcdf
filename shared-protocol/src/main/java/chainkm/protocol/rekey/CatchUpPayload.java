package chainkm.protocol.rekey;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a gateway's {@code GET /catchup} response: the rekey messages in order, each one
 * preceded by its length as a 4-byte big-endian int.
 */
public final class CatchUpPayload {
    private CatchUpPayload() {}

    public static byte[] encode(List<byte[]> messages) {
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

    public static List<byte[]> decode(byte[] payload) throws MessageFormatException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        List<byte[]> messages = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < Integer.BYTES) {
                throw new MessageFormatException("malformed catch-up payload: " + in.remaining()
                        + " trailing bytes at offset " + in.position());
            }
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new MessageFormatException("malformed catch-up payload: message of " + length + " bytes at offset "
                        + (in.position() - Integer.BYTES) + ", " + in.remaining() + " bytes left");
            }
            byte[] message = new byte[length];
            in.get(message);
            messages.add(message);
        }
        return messages;
    }
}
