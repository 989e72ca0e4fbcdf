package chainkm.gateway.keys;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * When each set this gateway owns last got all-fresh keys (made, adopted or renewed), as a block
 * height and a ledger operation: the age its renewal schedule compares with
 * {@code renew_after_blocks} and {@code renew_after_ops}. Rebuilt with the key manager by
 * replaying the ledger, so a restarted gateway keeps its schedule.
 */
final class RenewalAges {
    /** A set's last fresh start. */
    record Age(long height, long seq) {}

    private final TreeMap<Integer, Age> ages = new TreeMap<>();

    /**
     * After an operation at {@code height}, {@code seq}: sets newly owned start their age here,
     * {@code renewed} (the set of a RENEW, or -1) starts again, sets no longer owned are dropped.
     */
    void update(Set<Integer> owned, int renewed, long height, long seq) {
        ages.keySet().retainAll(owned);
        for (int set : owned) {
            ages.putIfAbsent(set, new Age(height, seq));
        }
        if (owned.contains(renewed)) {
            ages.put(renewed, new Age(height, seq));
        }
    }

    Optional<Age> of(int set) {
        return Optional.ofNullable(ages.get(set));
    }

    /**
     * The owned set whose keys are oldest (lowest height, then lowest set id) if it is due: at
     * least {@code afterBlocks} blocks or {@code afterOps} ledger operations old (0 disables a bound).
     */
    Optional<Integer> due(long height, long seq, long afterBlocks, long afterOps) {
        Map.Entry<Integer, Age> oldest = null;
        for (Map.Entry<Integer, Age> e : ages.entrySet()) {
            if (oldest == null || e.getValue().height() < oldest.getValue().height()) {
                oldest = e;
            }
        }
        if (oldest == null) {
            return Optional.empty();
        }
        Age a = oldest.getValue();
        boolean byBlocks = afterBlocks > 0 && height - a.height() >= afterBlocks;
        boolean byOps = afterOps > 0 && seq - a.seq() >= afterOps;
        return byBlocks || byOps ? Optional.of(oldest.getKey()) : Optional.empty();
    }
}
