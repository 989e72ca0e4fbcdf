package chainkm.protocol.rekey;

import chainkm.protocol.crypto.Sha256;
import java.nio.ByteBuffer;

/**
 * The rejoin exchange ({@code POST /rejoin}, over DTLS authenticated with the device's identity key).
 *
 * <pre>
 * Request  (44 bytes): node id (4) | seq the device has applied (8) | next link of its hash chain (32)
 * Reanchor (108 bytes): node id (4) | seq (8) | anchor of a new chain (32) | identity signature (64)
 * Answer   (22 bytes): gateway id (2) | node id (4) | attachment key (16)
 * </pre>
 *
 * A device whose chain is used up, or whose next link lies beyond the ledger's skip window,
 * sends a {@link Reanchor} instead of a link: a new chain's anchor signed with its identity key
 * ({@link chainkm.protocol.identity.DeviceAuthorization#reanchorMessage}); the gateway carries
 * the signature into a REJOIN whose contract checks it against the identity key on the ledger.
 *
 * The link is the proof of membership ({@link chainkm.protocol.ledger.RejoinChain}); the
 * attachment key is the node key the new gateway derives for this node from its own master
 * secret: the KEK under which that gateway sends this node its keys (for instance its first
 * message after adopting the node's set). It travels only inside the DTLS session.
 */
public final class Rejoin {
    public static final int REQUEST_SIZE = 4 + 8 + Sha256.SIZE;
    public static final int REANCHOR_SIZE = 4 + 8 + Sha256.SIZE + 64;
    public static final int ANSWER_SIZE = 2 + 4 + 16;

    private Rejoin() {}

    public record Request(int nodeId, long seq, byte[] link) {
        public Request {
            if (link == null || link.length != Sha256.SIZE) {
                throw new IllegalArgumentException("a rejoin link is " + Sha256.SIZE + " bytes");
            }
            link = link.clone();
        }

        @Override
        public byte[] link() {
            return link.clone();
        }

        public byte[] encode() {
            return ByteBuffer.allocate(REQUEST_SIZE).putInt(nodeId).putLong(seq).put(link).array();
        }

        public static Request decode(byte[] bytes) throws MessageFormatException {
            if (bytes == null || bytes.length != REQUEST_SIZE) {
                throw new MessageFormatException("a rejoin request is " + REQUEST_SIZE + " bytes, not "
                        + (bytes == null ? 0 : bytes.length));
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int node = in.getInt();
            long seq = in.getLong();
            if (node <= 0 || seq < 0) {
                throw new MessageFormatException("a rejoin request needs a positive node id and a non-negative seq");
            }
            byte[] link = new byte[Sha256.SIZE];
            in.get(link);
            return new Request(node, seq, link);
        }

        @Override
        public String toString() {
            return "Rejoin.Request[node " + nodeId + ", seq " + seq + "]";
        }
    }

    /** A rejoin that starts a new chain: its anchor, signed by the device's identity key. */
    public record Reanchor(int nodeId, long seq, byte[] newAnchor, byte[] signature) {
        public Reanchor {
            if (newAnchor == null || newAnchor.length != Sha256.SIZE) {
                throw new IllegalArgumentException("an anchor is " + Sha256.SIZE + " bytes");
            }
            if (signature == null || signature.length != 64) {
                throw new IllegalArgumentException("a re-anchor carries a 64-byte signature");
            }
            newAnchor = newAnchor.clone();
            signature = signature.clone();
        }

        @Override
        public byte[] newAnchor() {
            return newAnchor.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        public byte[] encode() {
            return ByteBuffer.allocate(REANCHOR_SIZE).putInt(nodeId).putLong(seq).put(newAnchor).put(signature).array();
        }

        public static Reanchor decode(byte[] bytes) throws MessageFormatException {
            if (bytes == null || bytes.length != REANCHOR_SIZE) {
                throw new MessageFormatException("a re-anchor request is " + REANCHOR_SIZE + " bytes, not "
                        + (bytes == null ? 0 : bytes.length));
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int node = in.getInt();
            long seq = in.getLong();
            if (node <= 0 || seq < 0) {
                throw new MessageFormatException("a re-anchor request needs a positive node id and a non-negative seq");
            }
            byte[] anchor = new byte[Sha256.SIZE];
            in.get(anchor);
            byte[] sig = new byte[64];
            in.get(sig);
            return new Reanchor(node, seq, anchor, sig);
        }

        @Override
        public String toString() {
            return "Rejoin.Reanchor[node " + nodeId + ", seq " + seq + "]";
        }
    }

    public record Answer(int gatewayId, int nodeId, byte[] attachmentKey) {
        public Answer {
            if (attachmentKey == null || attachmentKey.length != 16) {
                throw new IllegalArgumentException("an attachment key is 16 bytes");
            }
            attachmentKey = attachmentKey.clone();
        }

        @Override
        public byte[] attachmentKey() {
            return attachmentKey.clone();
        }

        public byte[] encode() {
            return ByteBuffer.allocate(ANSWER_SIZE).putShort((short) gatewayId).putInt(nodeId).put(attachmentKey).array();
        }

        public static Answer decode(byte[] bytes) throws MessageFormatException {
            if (bytes == null || bytes.length != ANSWER_SIZE) {
                throw new MessageFormatException("a rejoin answer is " + ANSWER_SIZE + " bytes, not "
                        + (bytes == null ? 0 : bytes.length));
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int gw = Short.toUnsignedInt(in.getShort());
            int node = in.getInt();
            byte[] key = new byte[16];
            in.get(key);
            return new Answer(gw, node, key);
        }

        /** Never shows the key. */
        @Override
        public String toString() {
            return "Rejoin.Answer[gateway " + gatewayId + ", node " + nodeId + "]";
        }
    }
}
