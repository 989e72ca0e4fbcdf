package chainkm.protocol.fuzz;

import static chainkm.protocol.fuzz.DecoderContract.decode;
import static chainkm.protocol.fuzz.DecoderContract.sameBytes;

import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.rekey.MessageFormatException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/** D2D datagrams as a device's UDP port receives them: from anyone on the network. */
class D2DMessageFuzzTest {
    @Timeout(10)
    @FuzzTest
    void packet(byte[] bytes) {
        decode(MessageFormatException.class, () -> D2DMessage.decode(bytes, bytes.length)).ifPresent(m -> {
            sameBytes("D2D message", bytes, m.encode());
            m.signatureValid(Samples.DEVICE.publicKey());
            decode(AuthenticationException.class, () -> m.open(Samples.D2D_KEY));
            m.toString();
        });
        // the receiver decodes from its datagram buffer, larger than the packet
        byte[] buffer = Arrays.copyOf(bytes, bytes.length + 16);
        Arrays.fill(buffer, bytes.length, buffer.length, (byte) 0x5a);
        decode(MessageFormatException.class, () -> D2DMessage.decode(buffer, bytes.length))
                .ifPresent(m -> sameBytes("D2D message in a larger buffer", bytes, m.encode()));
    }
}
