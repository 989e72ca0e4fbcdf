package chainkm.gateway.ledger;

import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.SetMove;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One accepted operation as the ledger recorded it: where it is (height, index in block),
 * what it did (operation, node, set, refresh key, originating gateway) and the set moves
 * Reorder made after it. A sleeping device catches up by replaying these in order.
 */
public record RefreshEntry(long height, int index, Operation operation, int nodeId, int setId,
                           byte[] refreshKey, int gatewayId, List<SetMove> moves) {
    public RefreshEntry {
        refreshKey = refreshKey.clone();
        moves = List.copyOf(moves);
    }

    @Override
    public byte[] refreshKey() {
        return refreshKey.clone();
    }

    void encodeTo(StateWriter out) {
        out.putLong(height);
        out.putInt(index);
        out.putByte(operation.code());
        out.putInt(nodeId);
        out.putInt(setId);
        out.put(refreshKey);
        out.putInt(gatewayId);
        out.putInt(moves.size());
        for (SetMove m : moves) {
            out.putInt(m.nodeId());
            out.putInt(m.fromSetId());
            out.putInt(m.toSetId());
        }
    }

    static RefreshEntry decodeFrom(ByteBuffer in) {
        long height = in.getLong();
        int index = in.getInt();
        Operation op = Operation.fromCode(in.get());
        int nodeId = in.getInt();
        int setId = in.getInt();
        byte[] refresh = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        in.get(refresh);
        int gatewayId = in.getInt();
        int count = in.getInt();
        List<SetMove> moves = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            moves.add(new SetMove(in.getInt(), in.getInt(), in.getInt()));
        }
        return new RefreshEntry(height, index, op, nodeId, setId, refresh, gatewayId, moves);
    }
}
