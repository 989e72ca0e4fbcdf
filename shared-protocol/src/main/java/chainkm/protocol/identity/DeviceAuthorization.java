package chainkm.protocol.identity;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;

/**
 * A device's own signature on an operation about itself, carried in the transaction's
 * extension: a JOIN carries one over the device's commitment (so a copied commitment is useless
 * to anyone else), a LEAVE one over the node id it leaves as, a re-anchoring REJOIN one over its
 * node id and the new anchor of its rejoin chain. The contract checks it against
 * the identity key the ledger holds for {@code name}.
 * Wire: name ({@link DeviceName}), signature (64).
 */
public record DeviceAuthorization(String name, byte[] signature) {
    private static final String JOIN = "chainkm/v1/join";
    private static final String LEAVE = "chainkm/v1/leave";
    private static final String REANCHOR = "chainkm/v1/reanchor";

    public DeviceAuthorization {
        DeviceName.check(name);
        signature = signature.clone();
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("a device signature has 64 bytes");
        }
    }

    /** What a joining device signs: its name and the commitment (the anchor of its rejoin chain). */
    public static byte[] joinMessage(String name, byte[] commitment) {
        ByteBuffer out = Statements.labelled(JOIN, DeviceName.encodedSize(name) + commitment.length);
        DeviceName.encodeTo(out, DeviceName.check(name));
        return out.put(commitment).array();
    }

    /** What a leaving device signs: its name and the node id it leaves as. */
    public static byte[] leaveMessage(String name, int nodeId) {
        ByteBuffer out = Statements.labelled(LEAVE, DeviceName.encodedSize(name) + Integer.BYTES);
        DeviceName.encodeTo(out, DeviceName.check(name));
        return out.putInt(nodeId).array();
    }

    /**
     * What a device signs to re-anchor its rejoin chain (its chain is used up, or its next link
     * is out of the ledger's window): its name, its node id and the anchor of its new chain.
     */
    public static byte[] reanchorMessage(String name, int nodeId, byte[] newAnchor) {
        ByteBuffer out = Statements.labelled(REANCHOR, DeviceName.encodedSize(name) + Integer.BYTES + newAnchor.length);
        DeviceName.encodeTo(out, DeviceName.check(name));
        return out.putInt(nodeId).put(newAnchor).array();
    }

    public static DeviceAuthorization forReanchor(String name, int nodeId, byte[] newAnchor, Ed25519.KeyPair identityKey) {
        byte[] m = reanchorMessage(name, nodeId, newAnchor);
        return new DeviceAuthorization(name, identityKey.sign(m, 0, m.length));
    }

    public boolean verifiesReanchor(byte[] identityKey, int nodeId, byte[] newAnchor) {
        return Statements.verify(identityKey, reanchorMessage(name, nodeId, newAnchor), signature);
    }

    public static DeviceAuthorization forJoin(String name, byte[] commitment, Ed25519.KeyPair identityKey) {
        byte[] m = joinMessage(name, commitment);
        return new DeviceAuthorization(name, identityKey.sign(m, 0, m.length));
    }

    public static DeviceAuthorization forLeave(String name, int nodeId, Ed25519.KeyPair identityKey) {
        byte[] m = leaveMessage(name, nodeId);
        return new DeviceAuthorization(name, identityKey.sign(m, 0, m.length));
    }

    public boolean verifiesJoin(byte[] identityKey, byte[] commitment) {
        return Statements.verify(identityKey, joinMessage(name, commitment), signature);
    }

    public boolean verifiesLeave(byte[] identityKey, int nodeId) {
        return Statements.verify(identityKey, leaveMessage(name, nodeId), signature);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(DeviceName.encodedSize(name) + Ed25519.SIGNATURE_SIZE);
        DeviceName.encodeTo(out, name);
        return out.put(signature).array();
    }

    public static DeviceAuthorization decode(byte[] bytes) throws IdentityFormatException {
        return Statements.parseExactly(bytes, "device authorization",
                in -> new DeviceAuthorization(DeviceName.decodeFrom(in), Statements.signature(in)));
    }
}
