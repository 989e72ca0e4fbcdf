package chainkm.gateway.ledger;

import java.nio.ByteBuffer;

/**
 * A committed gateway removal as the ledger keeps it: where it is (height, index in block) and
 * the REMOVE_GATEWAY transaction's bytes, co-signatures included. An adopter hands these to the
 * devices whose set it takes over ({@code RemovalProof}): they check the signatures themselves,
 * so nothing here needs to be trusted. Kept for every removal, also one that moved no set (it
 * still changes the consortium that later removals are counted against).
 */
public record RemovalEntry(long height, int index, byte[] tx) {
    public RemovalEntry {
        tx = tx.clone();
    }

    @Override
    public byte[] tx() {
        return tx.clone();
    }

    /** True when this removal comes at or before the ledger position (height, index). */
    public boolean atOrBefore(long otherHeight, int otherIndex) {
        return height < otherHeight || (height == otherHeight && index <= otherIndex);
    }

    void encodeTo(StateWriter out) {
        out.putLong(height);
        out.putInt(index);
        out.putBlob(tx);
    }

    static RemovalEntry decodeFrom(ByteBuffer in) {
        long height = in.getLong();
        int index = in.getInt();
        byte[] tx = new byte[in.getInt()];
        in.get(tx);
        return new RemovalEntry(height, index, tx);
    }
}
