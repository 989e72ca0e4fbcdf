package chainkm.gateway.ledger;

import chainkm.protocol.ledger.ChangeRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** What the ledger knows of a member: its id, set, secret-code commitment, joining gateway and height. */
public record NodeRecord(int nodeId, int setId, byte[] secretCodeHash, int gatewayId, long joinHeight) {
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
        return new NodeRecord(nodeId, newSetId, secretCodeHash, gatewayId, joinHeight);
    }

    void encodeTo(StateWriter out) {
        out.putInt(nodeId);
        out.putInt(setId);
        out.put(secretCodeHash);
        out.putInt(gatewayId);
        out.putLong(joinHeight);
    }

    static NodeRecord decodeFrom(ByteBuffer in) {
        int nodeId = in.getInt();
        int setId = in.getInt();
        byte[] hash = new byte[ChangeRecord.HASH_SIZE];
        in.get(hash);
        return new NodeRecord(nodeId, setId, hash, in.getInt(), in.getLong());
    }
}
