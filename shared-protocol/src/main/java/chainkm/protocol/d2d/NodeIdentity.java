package chainkm.protocol.d2d;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.rekey.MessageFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The answer to {@code GET /identity/<node>}: the identity of a member node as the committed
 * ledger holds it, which a D2D receiver needs to check a sender's signature. Big-endian:
 * <pre>
 *   node         4   the node id asked about
 *   key         32   the identity's Ed25519 public key
 *   name length  1   (1..255)
 *   name         n   UTF-8
 * </pre>
 */
public record NodeIdentity(int node, String name, byte[] key) {
    public static final int MAX_NAME = 255;

    public NodeIdentity {
        Objects.requireNonNull(name, "name");
        key = key.clone();
        if (key.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an identity key is a 32-byte Ed25519 public key");
        }
        int n = name.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > MAX_NAME) {
            throw new IllegalArgumentException("an identity name is 1.." + MAX_NAME + " UTF-8 bytes");
        }
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    public byte[] encode() {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + key.length + 1 + n.length).putInt(node).put(key).put((byte) n.length).put(n)
                .array();
    }

    public static NodeIdentity decode(byte[] bytes) throws MessageFormatException {
        if (bytes.length < 4 + Ed25519.PUBLIC_KEY_SIZE + 2) {
            throw new MessageFormatException("node identity of " + bytes.length + " bytes is too short");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int node = in.getInt();
        byte[] key = new byte[Ed25519.PUBLIC_KEY_SIZE];
        in.get(key);
        int length = Byte.toUnsignedInt(in.get());
        if (length == 0 || length != in.remaining()) {
            throw new MessageFormatException("node identity name length does not match the answer");
        }
        byte[] n = new byte[length];
        in.get(n);
        try {
            String name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(n)).toString();
            return new NodeIdentity(node, name, key);
        } catch (CharacterCodingException | IllegalArgumentException e) {
            throw new MessageFormatException("node identity name is not UTF-8");
        }
    }

    @Override
    public String toString() {
        return "NodeIdentity[node " + node + ", " + name + "]";
    }
}
