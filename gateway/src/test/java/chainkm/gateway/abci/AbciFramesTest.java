package chainkm.gateway.abci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestCheckTx;

class AbciFramesTest {

    @Test
    void requestRoundTripsWithMultiByteLengthPrefix() throws IOException {
        Request request = Request.newBuilder()
                .setCheckTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(new byte[300])))
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AbciFrames.write(request, out);
        byte[] frame = out.toByteArray();

        int size = request.getSerializedSize();
        assertArrayEquals(new byte[] {(byte) (0x80 | (size & 0x7f)), (byte) (size >>> 7)},
                Arrays.copyOf(frame, 2), "unsigned varint length prefix");
        ByteArrayInputStream in = new ByteArrayInputStream(frame);
        assertEquals(request, AbciFrames.readRequest(in, AbciFrames.DEFAULT_MAX_FRAME_BYTES));
        assertNull(AbciFrames.readRequest(in, AbciFrames.DEFAULT_MAX_FRAME_BYTES), "clean end of stream");
    }

    @Test
    void emptyRequestIsAZeroLengthFrame() throws IOException {
        Request empty = Request.getDefaultInstance();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AbciFrames.write(empty, out);
        assertArrayEquals(new byte[] {0}, out.toByteArray());
    }

    @Test
    void truncatedOrOversizedFramesAreMalformed() {
        assertMalformed(new byte[] {(byte) 0x80}, 100);
        assertMalformed(new byte[] {5, 1, 2}, 100);
        assertMalformed(new byte[] {101}, 100);
    }

    private static void assertMalformed(byte[] bytes, int maxFrameBytes) {
        assertThrows(AbciFrames.MalformedFrameException.class,
                () -> AbciFrames.readRequest(new ByteArrayInputStream(bytes), maxFrameBytes));
    }
}
