package chainkm.gateway.abci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;

import tendermint.abci.Types.Request;
import tendermint.abci.Types.Response;

/**
 * The ABCI socket framing: each protobuf message is preceded by its length as an
 * unsigned varint (CometBFT's {@code libs/protoio} delimited reader and writer).
 */
public final class AbciFrames {

    /** Largest frame accepted by default: well above CometBFT's 100 MB block limit. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 128 * 1024 * 1024;

    private static final int MAX_VARINT_BYTES = 10;

    private AbciFrames() {
    }

    /** A frame that cannot be decoded: bad length prefix, truncated body or bad protobuf. */
    public static final class MalformedFrameException extends IOException {
        private static final long serialVersionUID = 1L;

        public MalformedFrameException(String message) {
            super(message);
        }

        public MalformedFrameException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads one request; returns null on a clean end of stream (before any byte of a frame).
     *
     * @throws MalformedFrameException if the frame is cut short, too long or not a Request
     */
    public static Request readRequest(InputStream in, int maxFrameBytes) throws IOException {
        byte[] body = readFrame(in, maxFrameBytes);
        if (body == null) {
            return null;
        }
        try {
            return Request.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFrameException("not an ABCI Request: " + e.getMessage(), e);
        }
    }

    /** Reads one response; returns null on a clean end of stream. Used by clients and tests. */
    public static Response readResponse(InputStream in, int maxFrameBytes) throws IOException {
        byte[] body = readFrame(in, maxFrameBytes);
        if (body == null) {
            return null;
        }
        try {
            return Response.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFrameException("not an ABCI Response: " + e.getMessage(), e);
        }
    }

    /** Writes the length prefix and the message; does not flush. */
    public static void write(MessageLite message, OutputStream out) throws IOException {
        int size = message.getSerializedSize();
        byte[] frame = new byte[CodedOutputStream.computeUInt32SizeNoTag(size) + size];
        CodedOutputStream coded = CodedOutputStream.newInstance(frame);
        coded.writeUInt32NoTag(size);
        message.writeTo(coded);
        coded.checkNoSpaceLeft();
        out.write(frame);
    }

    /** Returns the frame body, or null on end of stream before the first length byte. */
    static byte[] readFrame(InputStream in, int maxFrameBytes) throws IOException {
        long length = 0;
        for (int i = 0; ; i++) {
            int b = in.read();
            if (b < 0) {
                if (i == 0) {
                    return null;
                }
                throw new MalformedFrameException("end of stream inside a length prefix");
            }
            if (i == MAX_VARINT_BYTES - 1 && b > 1) {
                throw new MalformedFrameException("length prefix overflows 64 bits");
            }
            length |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length < 0 || length > maxFrameBytes) {
            throw new MalformedFrameException(
                    "frame of " + Long.toUnsignedString(length) + " bytes exceeds " + maxFrameBytes);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new MalformedFrameException("end of stream after " + body.length + " of " + length + " frame bytes");
        }
        return body;
    }
}
