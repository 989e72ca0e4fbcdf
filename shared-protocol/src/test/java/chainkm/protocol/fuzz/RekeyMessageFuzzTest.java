package chainkm.protocol.fuzz;

import static chainkm.protocol.fuzz.DecoderContract.decode;
import static chainkm.protocol.fuzz.DecoderContract.sameBytes;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.ledger.RemovalProof;
import chainkm.protocol.ledger.TxFormatException;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.RekeyMessage;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Rekey messages as a device receives them over MQTT (anyone who can publish, or replay, on the
 * broker), and the key updates inside one that authenticates: the second target seals the fuzzed
 * bytes as the plaintext of a genuine message, so that it reaches the update decoder.
 */
class RekeyMessageFuzzTest {
    private static final byte[] GATEWAY_KEY = Samples.GATEWAY_1.publicKey();
    private static final Map<Integer, byte[]> CONSORTIUM = Map.of(1, GATEWAY_KEY, 2, Samples.GATEWAY_2.publicKey(),
            3, Samples.GATEWAY_3.publicKey(), 4, Samples.DEVICE.publicKey());

    @Timeout(10)
    @FuzzTest
    void message(byte[] bytes) {
        decode(MessageFormatException.class, () -> RekeyMessage.decode(bytes)).ifPresent(m -> {
            sameBytes("rekey message", bytes, m.encode());
            m.verify(GATEWAY_KEY);
            for (byte[] proof : m.proofs()) {
                decode(TxFormatException.class, () -> RemovalProof.decode(proof)).ifPresent(p -> p.provenIn(CONSORTIUM));
            }
            decode(AuthenticationException.class, MessageFormatException.class, () -> m.open(Samples.KEK));
        });
    }

    /** The fuzzed bytes are the plaintext (update count, then updates) of a message sealed and signed as a gateway does. */
    @Timeout(10)
    @FuzzTest
    void updates(byte[] plaintext) {
        if (plaintext.length > AesCcm.MAX_PLAINTEXT_SIZE) {
            return;
        }
        byte[] bytes = Frame.around(plaintext);
        RekeyMessage m;
        List<KeyUpdate> updates;
        try {
            m = RekeyMessage.decode(bytes);
            if (!m.verify(GATEWAY_KEY)) {
                throw new AssertionError("the frame does not verify");
            }
            updates = m.open(Samples.KEK);
        } catch (MessageFormatException e) {
            return; // the updates are malformed: refused as they should be
        } catch (AuthenticationException e) {
            throw DecoderContract.broken("the frame does not authenticate", e);
        }
        // the updates are a deterministic encoding: sealing them again gives the very same message
        sameBytes("key updates", bytes, RekeyMessage.seal(Samples.FRAME, updates, Samples.KEK, Samples.GATEWAY_1).encode());
        updates.forEach(KeyUpdate::toString);
    }

    /** A genuine message of header {@link Samples#FRAME} around any plaintext. */
    static final class Frame {
        private static final byte[] HEADER;

        static {
            byte[] empty = RekeyMessage.seal(Samples.FRAME, List.of(), Samples.KEK, Samples.GATEWAY_1).encode();
            int ctLength = 2 + AesCcm.TAG_SIZE; // an update count of 0, sealed
            int headerLength = empty.length - 64 - 4 - ctLength;
            if (ByteBuffer.wrap(empty).getInt(headerLength) != ctLength) {
                throw new IllegalStateException("the rekey message layout changed: update this target");
            }
            HEADER = java.util.Arrays.copyOf(empty, headerLength);
        }

        private Frame() {}

        private static byte[] nonce() {
            return ByteBuffer.allocate(AesCcm.NONCE_SIZE).put((byte) 1).putInt(Samples.FRAME.target())
                    .putLong(Samples.FRAME.seq()).array(); // kind SET | target | seq
        }

        /** The plaintext a gateway seals for {@code updates}: a seed of the {@code updates} target. */
        static byte[] plaintextOf(List<KeyUpdate> updates) throws AuthenticationException {
            byte[] sealed = RekeyMessage.seal(Samples.FRAME, updates, Samples.KEK, Samples.GATEWAY_1).encode();
            return AesCcm.open(Samples.KEK, nonce(), HEADER,
                    java.util.Arrays.copyOfRange(sealed, HEADER.length + 4, sealed.length - 64));
        }

        static byte[] around(byte[] plaintext) {
            byte[] ct = AesCcm.seal(Samples.KEK, nonce(), HEADER, plaintext);
            ByteBuffer out = ByteBuffer.allocate(HEADER.length + 4 + ct.length + 64);
            out.put(HEADER).putInt(ct.length).put(ct);
            out.put(Samples.GATEWAY_1.sign(out.array(), 0, out.position()));
            return out.array();
        }
    }
}
