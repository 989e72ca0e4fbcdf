package chainkm.gateway.ledger;

import chainkm.protocol.ledger.ChangeRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the ledger knows of a member: its id, set, current rejoin anchor (at join: the hash of
 * its secret code, the paper's commitment), the gateway it joined through (its set's owner),
 * the height of its join, the gateway it is attached to now, and the name of the device
 * identity that joined as it (whose key signs its leave).
 */
public record NodeRecord(int nodeId, int setId, byte[] secretCodeHash, int gatewayId, long joinHeight,
                         int attachedGateway, String identity) {
    public NodeRecord {
        secretCodeHash = secretCodeHash.clone();
    }

    @Override
    public byte[] secretCodeHash() {
        return secretCodeHash.clone();
    }

    boolean hashEquals(byte[] other) {
        return Arrays.equals(secretCodeHash, other);
    }

    NodeRecord inSet(int newSetId) {
        return new NodeRecord(nodeId, newSetId, secretCodeHash, gatewayId, joinHeight, attachedGateway, identity);
    }

    NodeRecord rejoined(byte[] newAnchor, int gateway) {
        return new NodeRecord(nodeId, setId, newAnchor, gatewayId, joinHeight, gateway, identity);
    }

    void encodeTo(StateWriter out) {
        out.putInt(nodeId);
        out.putInt(setId);
        out.put(secretCodeHash);
        out.putInt(gatewayId);
        out.putLong(joinHeight);
        out.putInt(attachedGateway);
        out.putByte(identity.length());
        out.put(identity.getBytes(StandardCharsets.US_ASCII));
    }

    static NodeRecord decodeFrom(ByteBuffer in) {
        int nodeId = in.getInt();
        int setId = in.getInt();
        byte[] hash = new byte[ChangeRecord.HASH_SIZE];
        in.get(hash);
        return new NodeRecord(nodeId, setId, hash, in.getInt(), in.getLong(), in.getInt(), DeviceIdentity.readName(in));
    }
}
