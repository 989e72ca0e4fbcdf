package chainkm.protocol.groupkey;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.AuthenticationException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session broadcast as a gateway publishes it: signed by the gateway, so that a member (a
 * client or a device) knows it comes from a consortium gateway and not from whoever can write
 * to the broker or the network. Broadcasts are public by design; this wrapper gives them
 * authenticity, the scheme inside gives members their keys. Big-endian:
 * <pre>
 *   version     1   1
 *   gateway id  2   the signer (a gateway of genesis)
 *   length      4   n, the broadcast's length
 *   broadcast   n   the {@link SessionBroadcast}, encoded
 *   signature  64   Ed25519 over "chainkm/v1/group/envelope" || every preceding byte
 * </pre>
 * The label keeps a gateway's signature on an envelope from being taken for one on any other
 * message it signs (rekey messages, transactions).
 */
public final class GroupBroadcastEnvelope {
    private static final Logger LOG = LoggerFactory.getLogger(GroupBroadcastEnvelope.class);
    public static final int VERSION = 1;
    static final byte[] LABEL = "chainkm/v1/group/envelope".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 1 + 2 + 4;
    /** The largest envelope: the largest broadcast, its header and signature. */
    public static final int MAX_SIZE = HEADER + SessionBroadcast.MAX_SIZE + Ed25519.SIGNATURE_SIZE;

    private final int gatewayId;
    private final SessionBroadcast broadcast;
    private final byte[] encoded;

    private GroupBroadcastEnvelope(int gatewayId, SessionBroadcast broadcast, byte[] encoded) {
        this.gatewayId = gatewayId;
        this.broadcast = broadcast;
        this.encoded = encoded;
    }

    /** Wraps {@code broadcast} and signs it as gateway {@code gatewayId}. */
    public static GroupBroadcastEnvelope sign(int gatewayId, SessionBroadcast broadcast, Ed25519.KeyPair key) {
        if (gatewayId < 0 || gatewayId > 0xFFFF) {
            throw new IllegalArgumentException("gateway id out of range: " + gatewayId);
        }
        byte[] body = broadcast.encode();
        ByteBuffer out = ByteBuffer.allocate(HEADER + body.length + Ed25519.SIGNATURE_SIZE);
        out.put((byte) VERSION).putShort((short) gatewayId).putInt(body.length).put(body);
        byte[] signature = key.sign(signed(out.array(), HEADER + body.length), 0, LABEL.length + HEADER + body.length);
        out.put(signature);
        return new GroupBroadcastEnvelope(gatewayId, broadcast, out.array());
    }

    /** Parses an envelope; the signature is not checked here ({@link #verify}). */
    public static GroupBroadcastEnvelope decode(byte[] bytes) throws GroupKeyFormatException {
        if (bytes == null || bytes.length > MAX_SIZE) {
            throw new GroupKeyFormatException("group envelope missing or larger than " + MAX_SIZE + " bytes");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int version = b.get() & 0xFF;
            if (version != VERSION) {
                throw new GroupKeyFormatException("group envelope version " + version + ", expected " + VERSION);
            }
            int gateway = b.getShort() & 0xFFFF;
            int length = b.getInt();
            if (length < 0 || length != bytes.length - HEADER - Ed25519.SIGNATURE_SIZE) {
                throw new GroupKeyFormatException("group envelope: broadcast length " + length + " does not match "
                        + bytes.length + " bytes");
            }
            byte[] body = new byte[length];
            b.get(body);
            return new GroupBroadcastEnvelope(gateway, SessionBroadcast.decode(body), bytes.clone());
        } catch (BufferUnderflowException e) {
            throw new GroupKeyFormatException("group envelope truncated");
        }
    }

    /**
     * The broadcast, once the signature checks against the key genesis gives the signing gateway.
     *
     * @param gatewayKeys gateway id to its Ed25519 public key, from genesis
     * @throws AuthenticationException (and a log line) if the signer is no gateway or the signature does not verify
     */
    public SessionBroadcast verify(Map<Integer, byte[]> gatewayKeys) throws AuthenticationException {
        Objects.requireNonNull(gatewayKeys, "gatewayKeys");
        byte[] key = gatewayKeys.get(gatewayId);
        if (key == null) {
            LOG.warn("group {}: refused the broadcast of session {}: signer {} is not a gateway of genesis",
                    broadcast.group(), broadcast.session(), gatewayId);
            throw new AuthenticationException("group broadcast signed by " + gatewayId + ", not a gateway");
        }
        int signedLength = encoded.length - Ed25519.SIGNATURE_SIZE;
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        System.arraycopy(encoded, signedLength, signature, 0, signature.length);
        byte[] message = signed(encoded, signedLength);
        if (!Ed25519.verify(key, message, 0, message.length, signature)) {
            LOG.warn("group {}: refused the broadcast of session {}: bad signature of gateway {}",
                    broadcast.group(), broadcast.session(), gatewayId);
            throw new AuthenticationException("group broadcast with a bad signature of gateway " + gatewayId);
        }
        return broadcast;
    }

    private static byte[] signed(byte[] bytes, int length) {
        byte[] m = new byte[LABEL.length + length];
        System.arraycopy(LABEL, 0, m, 0, LABEL.length);
        System.arraycopy(bytes, 0, m, LABEL.length, length);
        return m;
    }

    public byte[] encode() {
        return encoded.clone();
    }

    public int gatewayId() {
        return gatewayId;
    }

    /** The broadcast, unverified: for routing and logs only. */
    public SessionBroadcast unverified() {
        return broadcast;
    }

    @Override
    public String toString() {
        return "GroupBroadcastEnvelope[gateway=" + gatewayId + " " + broadcast + "]";
    }
}
