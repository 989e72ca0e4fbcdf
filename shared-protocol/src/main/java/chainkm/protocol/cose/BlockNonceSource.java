package chainkm.protocol.cose;

/**
 * A {@link NonceSource} that hands out numbers from blocks reserved durably in advance: one
 * write per block rather than one per object, and after a restart the numbers continue above
 * the last reservation (the rest of the block in use at the crash is skipped, never reused).
 */
public final class BlockNonceSource implements NonceSource {
    /** Durable storage of the high-water mark. */
    @FunctionalInterface
    public interface Reservation {
        /**
         * Reserves the numbers [first, first + count) and returns first. The reservation is on
         * disk before this returns, and no later call, in this process or after a restart,
         * returns a number inside it again.
         */
        long reserve(int count);
    }

    private final Reservation reservation;
    private final int blockSize;
    private long next;
    private long limit;

    public BlockNonceSource(Reservation reservation, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("a block holds at least one number");
        }
        this.reservation = reservation;
        this.blockSize = blockSize;
    }

    @Override
    public synchronized long next() {
        if (next >= limit) {
            long first = reservation.reserve(blockSize);
            if (first < 0 || first > ProtectedObject.MAX_SEQUENCE - blockSize + 1) {
                throw new IllegalStateException("object sequence numbers are exhausted");
            }
            next = first;
            limit = first + blockSize;
        }
        return next++;
    }
}
