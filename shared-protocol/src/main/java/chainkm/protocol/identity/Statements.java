package chainkm.protocol.identity;

import chainkm.protocol.crypto.Ed25519;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What the identity statements share: labelled messages, exact-length parsing. */
final class Statements {
    private Statements() {}

    static ByteBuffer labelled(String label, int bodySize) {
        byte[] l = label.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(l.length + bodySize).put(l);
    }

    static byte[] key(ByteBuffer in) {
        byte[] k = new byte[Ed25519.PUBLIC_KEY_SIZE];
        in.get(k);
        return k;
    }

    static byte[] signature(ByteBuffer in) {
        byte[] s = new byte[Ed25519.SIGNATURE_SIZE];
        in.get(s);
        return s;
    }

    interface Reader<T> {
        T read(ByteBuffer in) throws IdentityFormatException;
    }

    /** Parses all of {@code bytes} with {@code reader}: a short or a long input is malformed. */
    static <T> T parseExactly(byte[] bytes, String what, Reader<T> reader) throws IdentityFormatException {
        if (bytes == null) {
            throw new IdentityFormatException(what + ": missing");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        T value;
        try {
            value = reader.read(in);
        } catch (BufferUnderflowException e) {
            throw new IdentityFormatException(what + ": truncated");
        }
        if (in.hasRemaining()) {
            throw new IdentityFormatException(what + ": " + in.remaining() + " trailing bytes");
        }
        return value;
    }

    static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        return Ed25519.verify(publicKey, message, 0, message.length, signature);
    }
}
