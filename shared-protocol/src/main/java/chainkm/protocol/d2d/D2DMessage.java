package chainkm.protocol.d2d;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.MessageFormatException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * A device-to-device message, AES-CCM under the pair's key: their pairwise node key (same set)
 * or their sets' pairwise set key. Big-endian:
 * <pre>
 *   version      1  (1)
 *   sender       4  node id
 *   receiver     4  node id
 *   key id       5 or 9 bytes ({@link KeyId} encoding)
 *   key seq      8  the ledger operation that set the key's value (so a receiver picks the
 *                   current or, during a short grace period, the previous value)
 *   counter      8  the sender's message counter: never repeats, also across reboots
 *   ct length    2
 *   ciphertext   n  AES-CCM(key, nonce = sender | counter | 'D', aad = every preceding byte)
 * </pre>
 * The nonce is unique for every key, even a pairwise set key shared by many senders, since
 * it holds the sender's id and that sender's never-repeating counter.
 */
public record D2DMessage(int sender, int receiver, KeyId keyId, long keySeq, long counter, byte[] ciphertext) {
    public static final int VERSION = 1;
    public static final int MAX_PAYLOAD = 1024;
    public static final int MAX_SIZE = 1 + 4 + 4 + KeyId.PAIR_SIZE + 8 + 8 + 2 + MAX_PAYLOAD + AesCcm.TAG_SIZE;

    public D2DMessage {
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    public static D2DMessage seal(int sender, int receiver, KeyId keyId, long keySeq, long counter, byte[] key,
                                  byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("D2D payload larger than " + MAX_PAYLOAD + " bytes");
        }
        byte[] aad = header(sender, receiver, keyId, keySeq, counter, payload.length + AesCcm.TAG_SIZE);
        byte[] ct = AesCcm.seal(key, nonce(sender, counter), aad, payload);
        return new D2DMessage(sender, receiver, keyId, keySeq, counter, ct);
    }

    private static byte[] header(int sender, int receiver, KeyId keyId, long keySeq, long counter, int ctLength) {
        ByteBuffer h = ByteBuffer.allocate(1 + 4 + 4 + keyId.encodedLength() + 8 + 8 + 2);
        h.put((byte) VERSION).putInt(sender).putInt(receiver);
        keyId.encodeTo(h);
        h.putLong(keySeq).putLong(counter).putShort((short) ctLength);
        return h.array();
    }

    static byte[] nonce(int sender, long counter) {
        return ByteBuffer.allocate(AesCcm.NONCE_SIZE).putInt(sender).putLong(counter).put((byte) 'D').array();
    }

    public byte[] open(byte[] key) throws AuthenticationException {
        return AesCcm.open(key, nonce(sender, counter), header(sender, receiver, keyId, keySeq, counter,
                ciphertext.length), ciphertext);
    }

    public byte[] encode() {
        byte[] h = header(sender, receiver, keyId, keySeq, counter, ciphertext.length);
        return ByteBuffer.allocate(h.length + ciphertext.length).put(h).put(ciphertext).array();
    }

    public static D2DMessage decode(byte[] bytes, int length) throws MessageFormatException {
        if (length > MAX_SIZE) {
            throw new MessageFormatException("D2D message of " + length + " bytes is larger than " + MAX_SIZE);
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
            if (in.get() != VERSION) {
                throw new MessageFormatException("not a chainkm D2D message (version)");
            }
            int sender = in.getInt();
            int receiver = in.getInt();
            KeyId keyId = KeyId.decodeFrom(in);
            if (keyId.kind().isKek()) {
                throw new MessageFormatException("D2D messages use DEKs, not " + keyId.kind());
            }
            long keySeq = in.getLong();
            long counter = in.getLong();
            int ctLength = Short.toUnsignedInt(in.getShort());
            if (ctLength != in.remaining() || ctLength < AesCcm.TAG_SIZE) {
                throw new MessageFormatException("D2D length field does not match the packet");
            }
            byte[] ct = new byte[ctLength];
            in.get(ct);
            return new D2DMessage(sender, receiver, keyId, keySeq, counter, ct);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MessageFormatException("malformed D2D message: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "D2DMessage[" + sender + " -> " + receiver + " under " + keyId + "@" + keySeq + " #" + counter + "]";
    }
}
