package chainkm.protocol.identity;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;

/**
 * The body of {@code POST /join} (version 2): the device's commitment (the anchor of its rejoin
 * hash chain) and its identity key's signature over its name and that commitment
 * ({@link DeviceAuthorization#joinMessage}). The name is not sent: the gateway takes it from the
 * identity the DTLS session authenticated, so a request replayed under another identity fails
 * the ledger's signature check. Wire: commitment (32), signature (64).
 */
public record JoinRequest(byte[] commitment, byte[] signature) {
    public static final int COMMITMENT_SIZE = 32;
    public static final int SIZE = COMMITMENT_SIZE + Ed25519.SIGNATURE_SIZE;

    public JoinRequest {
        commitment = commitment.clone();
        signature = signature.clone();
        if (commitment.length != COMMITMENT_SIZE || signature.length != Ed25519.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("a join request is a 32-byte commitment and a 64-byte signature");
        }
    }

    /** Made by the device with its identity key. */
    public static JoinRequest sign(String name, byte[] commitment, Ed25519.KeyPair identityKey) {
        return new JoinRequest(commitment, DeviceAuthorization.forJoin(name, commitment, identityKey).signature());
    }

    /** The ledger's form of the device's consent, for the identity the session authenticated. */
    public DeviceAuthorization authorization(String name) {
        return new DeviceAuthorization(name, signature);
    }

    @Override
    public byte[] commitment() {
        return commitment.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).put(commitment).put(signature).array();
    }

    public static JoinRequest decode(byte[] bytes) throws IdentityFormatException {
        return Statements.parseExactly(bytes, "join request",
                in -> new JoinRequest(commitment(in), Statements.signature(in)));
    }

    private static byte[] commitment(ByteBuffer in) {
        byte[] c = new byte[COMMITMENT_SIZE];
        in.get(c);
        return c;
    }
}
