package chainkm.protocol.d2d;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.rekey.MessageFormatException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A device-to-device message (version 2), AES-CCM under the pair's key: their pairwise node
 * key (same set) or their sets' pairwise set key. Big-endian:
 * <pre>
 *   version      1  (2)
 *   sender       4  node id
 *   receiver     4  node id
 *   key id       5 or 9 bytes ({@link KeyId} encoding)
 *   key seq      8  the ledger operation that set the key's value (so a receiver picks the
 *                   current or, during a short grace period, the previous value)
 *   counter      8  the sender's message counter: never repeats, also across reboots (0..2^63-1)
 *   ct length    2
 *   ciphertext   n  AES-CCM(key, nonce = sender | counter | 0x02, aad = every preceding byte)
 *   signature   64  only under a pairwise set key: Ed25519 with the sender's identity key over
 *                   "chainkm D2D v2" | every preceding byte
 * </pre>
 * The nonce is unique for every key, even a pairwise set key shared by many senders, since
 * it holds the sender's id and that sender's never-repeating counter.
 *
 * <p>Why the signature only under a pairwise set key: every member of the two sets holds that
 * key, so its AES-CCM tag only proves "some member of these sets", and a set-mate could claim
 * any sender. The sender's signature over header and ciphertext (as Group OSCORE's group mode
 * countersigns) binds the message to the one device that holds the identity key. A pairwise
 * node key has exactly two holders: a receiver that did not seal a message knows the other
 * holder did, so the tag already authenticates the sender and a signature would add only cost.
 *
 * <p>Version 1 (no signature) is decoded only to be refused with its own message: no receiver
 * accepts it any more, since it carries no per-sender authenticity.
 */
public final class D2DMessage {
    public static final int VERSION = 2;
    /** The previous version, recognised only to refuse it clearly. */
    public static final int VERSION_1 = 1;
    public static final int MAX_PAYLOAD = 1024;
    public static final int MAX_SIZE = 1 + 4 + 4 + KeyId.PAIR_SIZE + 8 + 8 + 2 + MAX_PAYLOAD + AesCcm.TAG_SIZE
            + Ed25519.SIGNATURE_SIZE;
    /** Domain separation: the identity key also signs DTLS handshakes, joins and leaves. */
    private static final byte[] SIGNATURE_CONTEXT = "chainkm D2D v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte NONCE_TAG = 0x02;

    private final int sender;
    private final int receiver;
    private final KeyId keyId;
    private final long keySeq;
    private final long counter;
    private final byte[] ciphertext;
    private final byte[] signature;

    private D2DMessage(int sender, int receiver, KeyId keyId, long keySeq, long counter, byte[] ciphertext,
                       byte[] signature) {
        this.sender = sender;
        this.receiver = receiver;
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.keySeq = keySeq;
        this.counter = counter;
        this.ciphertext = ciphertext.clone();
        this.signature = signature == null ? null : signature.clone();
    }

    /** True for the keys whose messages carry the sender's signature (more than two holders). */
    public static boolean signed(KeyId keyId) {
        return keyId.kind() == KeyKind.PAIRWISE_SET_KEY;
    }

    /**
     * Seals a message under a pairwise node key (no signature: see the class comment).
     *
     * @throws IllegalArgumentException under a pairwise set key, which needs {@link #seal(int, int, KeyId, long, long, byte[], byte[], Ed25519.KeyPair)}
     */
    public static D2DMessage seal(int sender, int receiver, KeyId keyId, long keySeq, long counter, byte[] key,
                                  byte[] payload) {
        return seal(sender, receiver, keyId, keySeq, counter, key, payload, null);
    }

    /**
     * Seals a message; under a pairwise set key it is signed with {@code identity}, the sender's
     * enrolled identity key (ignored under a pairwise node key).
     */
    public static D2DMessage seal(int sender, int receiver, KeyId keyId, long keySeq, long counter, byte[] key,
                                  byte[] payload, Ed25519.KeyPair identity) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("D2D payload larger than " + MAX_PAYLOAD + " bytes");
        }
        if (counter < 0 || keySeq < 0) {
            throw new IllegalArgumentException("D2D counter and key seq are non-negative");
        }
        if (signed(keyId) && identity == null) {
            throw new IllegalArgumentException("a message under a pairwise set key must be signed by its sender");
        }
        byte[] aad = header(sender, receiver, keyId, keySeq, counter, payload.length + AesCcm.TAG_SIZE);
        byte[] ct = AesCcm.seal(key, nonce(sender, counter), aad, payload);
        byte[] sig = null;
        if (signed(keyId)) {
            byte[] signedBytes = signedBytes(aad, ct);
            sig = identity.sign(signedBytes, 0, signedBytes.length);
        }
        return new D2DMessage(sender, receiver, keyId, keySeq, counter, ct, sig);
    }

    private static byte[] header(int sender, int receiver, KeyId keyId, long keySeq, long counter, int ctLength) {
        ByteBuffer h = ByteBuffer.allocate(1 + 4 + 4 + keyId.encodedLength() + 8 + 8 + 2);
        h.put((byte) VERSION).putInt(sender).putInt(receiver);
        keyId.encodeTo(h);
        h.putLong(keySeq).putLong(counter).putShort((short) ctLength);
        return h.array();
    }

    private static byte[] signedBytes(byte[] header, byte[] ct) {
        return ByteBuffer.allocate(SIGNATURE_CONTEXT.length + header.length + ct.length)
                .put(SIGNATURE_CONTEXT).put(header).put(ct).array();
    }

    static byte[] nonce(int sender, long counter) {
        return ByteBuffer.allocate(AesCcm.NONCE_SIZE).putInt(sender).putLong(counter).put(NONCE_TAG).array();
    }

    public int sender() {
        return sender;
    }

    public int receiver() {
        return receiver;
    }

    public KeyId keyId() {
        return keyId;
    }

    public long keySeq() {
        return keySeq;
    }

    public long counter() {
        return counter;
    }

    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** True when the message carries a sender signature (exactly when its key is a pairwise set key). */
    public boolean isSigned() {
        return signature != null;
    }

    /**
     * True when the message is signed and the signature verifies under {@code senderIdentityKey}
     * (the 32-byte Ed25519 key the ledger holds for node {@link #sender()}); false for an
     * unsigned message.
     */
    public boolean signatureValid(byte[] senderIdentityKey) {
        if (signature == null) {
            return false;
        }
        byte[] signedBytes = signedBytes(header(sender, receiver, keyId, keySeq, counter, ciphertext.length), ciphertext);
        return Ed25519.verify(senderIdentityKey, signedBytes, 0, signedBytes.length, signature);
    }

    /**
     * The payload, if the message authenticates under {@code key}. Under a pairwise set key this
     * only proves a holder of the set key sealed it: check {@link #signatureValid} first.
     */
    public byte[] open(byte[] key) throws AuthenticationException {
        return AesCcm.open(key, nonce(sender, counter), header(sender, receiver, keyId, keySeq, counter,
                ciphertext.length), ciphertext);
    }

    public byte[] encode() {
        byte[] h = header(sender, receiver, keyId, keySeq, counter, ciphertext.length);
        ByteBuffer out = ByteBuffer.allocate(h.length + ciphertext.length + (signature == null ? 0 : signature.length));
        out.put(h).put(ciphertext);
        if (signature != null) {
            out.put(signature);
        }
        return out.array();
    }

    public static D2DMessage decode(byte[] bytes, int length) throws MessageFormatException {
        if (length > MAX_SIZE) {
            throw new MessageFormatException("D2D message of " + length + " bytes is larger than " + MAX_SIZE);
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
            int version = in.get();
            if (version == VERSION_1) {
                throw new MessageFormatException("D2D version 1 (no sender signature under pairwise set keys) is no"
                        + " longer accepted: the sender runs an old agent");
            }
            if (version != VERSION) {
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
            if (keySeq < 0 || counter < 0) {
                throw new MessageFormatException("D2D key seq or counter out of range");
            }
            int ctLength = Short.toUnsignedInt(in.getShort());
            int sigLength = signed(keyId) ? Ed25519.SIGNATURE_SIZE : 0;
            if (ctLength + sigLength != in.remaining() || ctLength < AesCcm.TAG_SIZE) {
                throw new MessageFormatException("D2D length field does not match the packet");
            }
            byte[] ct = new byte[ctLength];
            in.get(ct);
            byte[] sig = null;
            if (sigLength > 0) {
                sig = new byte[sigLength];
                in.get(sig);
            }
            return new D2DMessage(sender, receiver, keyId, keySeq, counter, ct, sig);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MessageFormatException("malformed D2D message: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "D2DMessage[" + sender + " -> " + receiver + " under " + keyId + "@" + keySeq + " #" + counter
                + (signature == null ? "" : " signed") + "]";
    }
}
