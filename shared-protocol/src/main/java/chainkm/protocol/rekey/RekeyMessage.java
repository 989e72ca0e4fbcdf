package chainkm.protocol.rekey;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.ledger.Operation;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway's message that brings devices to ledger operation {@code seq}: key updates
 * encrypted under a KEK (AES-CCM) and signed by the gateway (Ed25519), so that a device of the
 * same set, which knows the set key, still cannot forge one. Big-endian:
 * <pre>
 *   version        1   (2; version 1, without the proofs, is refused)
 *   kind           1   1 = SET (for every member of set {@code target}, under its set key),
 *                      2 = NODE (for device {@code target}, under its node key)
 *   gateway id     2   the signer
 *   seq            8   the ledger operation (1, 2, ...) this message brings its recipient to
 *   target         4   set id or node id
 *   operation      1   1 join, 2 leave, 3 evict
 *   subject node   4   the node that joined or left
 *   subject set    4   its set
 *   refresh key   16   the operation's refresh key (public on the ledger), for ROLL updates
 *   exempt count   2   SET only: members that get a NODE message for this seq instead
 *   exempt ids     4 each
 *   proof count    1   removal proofs: on a full-state NODE message, every committed
 *                      REMOVE_GATEWAY transaction up to this message's operation, in ledger
 *                      order, so that a device whose set changed owner can check it ({@code
 *                      RemovalProof}); none on other messages
 *   per proof:
 *     length       2
 *     transaction  n   the REMOVE_GATEWAY transaction as the ledger committed it
 *   ct length      4
 *   ciphertext     n   AES-CCM(KEK, nonce = kind | target | seq, aad = every preceding byte,
 *                      plaintext = update count (2) then the {@link KeyUpdate}s)
 *   signature     64   Ed25519 over every preceding byte
 * </pre>
 * The nonce is unique per KEK: one message per (kind, target, seq), and a message rebuilt after
 * a gateway restart is byte for byte the same message (its proofs too: they are a function of
 * its operation's place in the ledger).
 */
public final class RekeyMessage {
    public static final int VERSION = 2;
    public static final int MAX_PROOFS = 255;
    public static final int MAX_SIZE = 256 * 1024;

    public enum Kind {
        SET(1), NODE(2);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    private final Kind kind;
    private final int gatewayId;
    private final long seq;
    private final int target;
    private final Operation operation;
    private final int subjectNode;
    private final int subjectSet;
    private final byte[] refreshKey;
    private final List<Integer> exempt;
    private final List<byte[]> proofs;
    private final byte[] ciphertext;
    private final byte[] encoded;
    private final int signedLength;

    private RekeyMessage(Kind kind, int gatewayId, long seq, int target, Operation operation, int subjectNode,
                         int subjectSet, byte[] refreshKey, List<Integer> exempt, List<byte[]> proofs, byte[] ciphertext,
                         byte[] encoded, int signedLength) {
        this.kind = kind;
        this.gatewayId = gatewayId;
        this.seq = seq;
        this.target = target;
        this.operation = operation;
        this.subjectNode = subjectNode;
        this.subjectSet = subjectSet;
        this.refreshKey = refreshKey;
        this.exempt = List.copyOf(exempt);
        this.proofs = List.copyOf(proofs);
        this.ciphertext = ciphertext;
        this.encoded = encoded;
        this.signedLength = signedLength;
    }

    /** The header fields every message carries; {@code proofs} are encoded removal transactions. */
    public record Header(Kind kind, int gatewayId, long seq, int target, Operation operation, int subjectNode,
                         int subjectSet, byte[] refreshKey, List<Integer> exempt, List<byte[]> proofs) {
        public Header {
            exempt = List.copyOf(exempt);
            refreshKey = refreshKey.clone();
            proofs = proofs.stream().map(byte[]::clone).toList();
            if (kind == Kind.NODE && !exempt.isEmpty()) {
                throw new IllegalArgumentException("only SET messages have exempt members");
            }
            if (proofs.size() > MAX_PROOFS || proofs.stream().anyMatch(p -> p.length > 0xFFFF)) {
                throw new IllegalArgumentException("at most " + MAX_PROOFS + " proofs of at most 65535 bytes each");
            }
        }

        /** A header without proofs. */
        public Header(Kind kind, int gatewayId, long seq, int target, Operation operation, int subjectNode,
                      int subjectSet, byte[] refreshKey, List<Integer> exempt) {
            this(kind, gatewayId, seq, target, operation, subjectNode, subjectSet, refreshKey, exempt, List.of());
        }

        /** The same header carrying {@code removalProofs}. */
        public Header withProofs(List<byte[]> removalProofs) {
            return new Header(kind, gatewayId, seq, target, operation, subjectNode, subjectSet, refreshKey, exempt,
                    removalProofs);
        }
    }

    /** Encrypts the updates under {@code kek} and signs as the gateway. */
    public static RekeyMessage seal(Header h, List<KeyUpdate> updates, byte[] kek, Ed25519.KeyPair gatewayKey) {
        int plainLength = 2 + updates.stream().mapToInt(KeyUpdate::encodedLength).sum();
        ByteBuffer plain = ByteBuffer.allocate(plainLength);
        plain.putShort((short) updates.size());
        updates.forEach(u -> u.encodeTo(plain));
        int headerLength = 1 + 1 + 2 + 8 + 4 + 1 + 4 + 4 + 16 + 2 + 4 * h.exempt().size()
                + 1 + h.proofs().stream().mapToInt(p -> 2 + p.length).sum();
        ByteBuffer head = ByteBuffer.allocate(headerLength);
        head.put((byte) VERSION).put((byte) h.kind().code).putShort((short) h.gatewayId()).putLong(h.seq())
                .putInt(h.target()).put((byte) h.operation().code()).putInt(h.subjectNode()).putInt(h.subjectSet())
                .put(h.refreshKey()).putShort((short) h.exempt().size());
        h.exempt().forEach(head::putInt);
        head.put((byte) h.proofs().size());
        h.proofs().forEach(p -> head.putShort((short) p.length).put(p));
        byte[] ct = AesCcm.seal(kek, nonce(h.kind(), h.target(), h.seq()), head.array(), plain.array());
        int signed = headerLength + 4 + ct.length;
        ByteBuffer out = ByteBuffer.allocate(signed + Ed25519.SIGNATURE_SIZE);
        out.put(head.array()).putInt(ct.length).put(ct);
        out.put(gatewayKey.sign(out.array(), 0, signed));
        return new RekeyMessage(h.kind(), h.gatewayId(), h.seq(), h.target(), h.operation(), h.subjectNode(),
                h.subjectSet(), h.refreshKey(), h.exempt(), h.proofs(), ct, out.array(), signed);
    }

    static byte[] nonce(Kind kind, int target, long seq) {
        return ByteBuffer.allocate(AesCcm.NONCE_SIZE).put((byte) kind.code).putInt(target).putLong(seq).array();
    }

    public static RekeyMessage decode(byte[] bytes) throws MessageFormatException {
        if (bytes == null || bytes.length > MAX_SIZE) {
            throw new MessageFormatException("rekey message missing or larger than " + MAX_SIZE + " bytes");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int version = Byte.toUnsignedInt(in.get());
            if (version != VERSION) {
                throw new MessageFormatException("unsupported rekey message version " + version + " (this device reads "
                        + VERSION + ")");
            }
            int kindCode = in.get();
            Kind kind = kindCode == 1 ? Kind.SET : kindCode == 2 ? Kind.NODE : null;
            if (kind == null) {
                throw new MessageFormatException("unknown rekey message kind " + kindCode);
            }
            int gatewayId = Short.toUnsignedInt(in.getShort());
            long seq = in.getLong();
            int target = in.getInt();
            Operation op = Operation.fromCode(in.get());
            if (op == null) {
                throw new MessageFormatException("unknown operation in rekey message");
            }
            int subjectNode = in.getInt();
            int subjectSet = in.getInt();
            byte[] refresh = new byte[16];
            in.get(refresh);
            int exemptCount = Short.toUnsignedInt(in.getShort());
            if (kind == Kind.NODE && exemptCount != 0) {
                throw new MessageFormatException("NODE message with exempt members");
            }
            List<Integer> exempt = new ArrayList<>(exemptCount);
            for (int i = 0; i < exemptCount; i++) {
                exempt.add(in.getInt());
            }
            int proofCount = Byte.toUnsignedInt(in.get());
            List<byte[]> proofs = new ArrayList<>(proofCount);
            for (int i = 0; i < proofCount; i++) {
                byte[] proof = new byte[Short.toUnsignedInt(in.getShort())];
                in.get(proof);
                proofs.add(proof);
            }
            int ctLength = in.getInt();
            if (ctLength < AesCcm.TAG_SIZE || ctLength != in.remaining() - Ed25519.SIGNATURE_SIZE) {
                throw new MessageFormatException("rekey message length fields do not match its size");
            }
            byte[] ct = new byte[ctLength];
            in.get(ct);
            int signed = in.position();
            return new RekeyMessage(kind, gatewayId, seq, target, op, subjectNode, subjectSet, refresh, exempt, proofs,
                    ct, bytes.clone(), signed);
        } catch (BufferUnderflowException e) {
            throw new MessageFormatException("truncated rekey message");
        }
    }

    /** True when signed by the holder of {@code gatewayPublicKey}. */
    public boolean verify(byte[] gatewayPublicKey) {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        System.arraycopy(encoded, signedLength, sig, 0, sig.length);
        return Ed25519.verify(gatewayPublicKey, encoded, 0, signedLength, sig);
    }

    /** Decrypts the updates; fails on a wrong key or any tampering. Call {@link #verify} first. */
    public List<KeyUpdate> open(byte[] kek) throws AuthenticationException, MessageFormatException {
        int headerLength = signedLength - 4 - ciphertext.length;
        byte[] aad = new byte[headerLength];
        System.arraycopy(encoded, 0, aad, 0, headerLength);
        byte[] plain = AesCcm.open(kek, nonce(kind, target, seq), aad, ciphertext);
        ByteBuffer in = ByteBuffer.wrap(plain);
        try {
            int count = Short.toUnsignedInt(in.getShort());
            List<KeyUpdate> updates = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                updates.add(KeyUpdate.decodeFrom(in));
            }
            if (in.hasRemaining()) {
                throw new MessageFormatException("bytes after the key updates");
            }
            return updates;
        } catch (BufferUnderflowException e) {
            throw new MessageFormatException("truncated key updates");
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    public Kind kind() {
        return kind;
    }

    public int gatewayId() {
        return gatewayId;
    }

    public long seq() {
        return seq;
    }

    public int target() {
        return target;
    }

    public Operation operation() {
        return operation;
    }

    public int subjectNode() {
        return subjectNode;
    }

    public int subjectSet() {
        return subjectSet;
    }

    public byte[] refreshKey() {
        return refreshKey.clone();
    }

    public List<Integer> exempt() {
        return exempt;
    }

    /** The removal proofs it carries (encoded REMOVE_GATEWAY transactions, in ledger order); usually none. */
    public List<byte[]> proofs() {
        return proofs.stream().map(byte[]::clone).toList();
    }

    public byte[] encode() {
        return encoded.clone();
    }

    @Override
    public String toString() {
        return "RekeyMessage[" + kind + " " + target + " seq " + seq + " " + operation + " node " + subjectNode
                + " from gateway " + gatewayId + "]";
    }
}
