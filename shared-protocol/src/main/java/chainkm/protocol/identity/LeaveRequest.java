package chainkm.protocol.identity;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;

/**
 * The body of {@code POST /leave} (version 2): the node id the device leaves as and its identity
 * key's signature over its name and that node id ({@link DeviceAuthorization#leaveMessage}).
 * The gateway takes the name from the DTLS session and carries the signature into the LEAVE
 * transaction, where the contract checks it: no gateway can make a device leave on its own.
 * Wire: node id (4, big-endian), signature (64).
 */
public record LeaveRequest(int nodeId, byte[] signature) {
    public static final int SIZE = Integer.BYTES + Ed25519.SIGNATURE_SIZE;

    public LeaveRequest {
        signature = signature.clone();
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("a leave request carries a 64-byte signature");
        }
    }

    /** Made by the device with its identity key. */
    public static LeaveRequest sign(String name, int nodeId, Ed25519.KeyPair identityKey) {
        return new LeaveRequest(nodeId, DeviceAuthorization.forLeave(name, nodeId, identityKey).signature());
    }

    /** The ledger's form of the device's consent, for the identity the session authenticated. */
    public DeviceAuthorization authorization(String name) {
        return new DeviceAuthorization(name, signature);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).putInt(nodeId).put(signature).array();
    }

    public static LeaveRequest decode(byte[] bytes) throws IdentityFormatException {
        return Statements.parseExactly(bytes, "leave request", in -> new LeaveRequest(in.getInt(), Statements.signature(in)));
    }
}
