package chainkm.protocol.sets;

/**
 * The paper's Assignment algorithm (III.A.1): the set a node joining through a gateway goes to.
 *
 * <p>Rule: with {@code k = LayoutBounds.targetSetSize(n + 1)} (n members before the join, so k
 * counts the newcomer), pick among the sets owned by the joining gateway the one with the fewest
 * members that still has fewer than k; ties go to the lowest set id. If every set of the gateway
 * holds k or more, the node opens a new set ({@link SetLayout#nextSetId()}).
 *
 * <p>Why: the gateway's devices then share sets (required by Proposition 3); the answer depends
 * only on the gateway's own sets and on n, so joins at different gateways never compete for a
 * set, and a validator rerunning this on the committed state agrees with the proposing gateway
 * unless that gateway's own sets or {@code k(n+1)} changed in between. Filling the emptiest set first keeps sizes even, refills holes left by
 * leaves (so Reorder has less to merge), and makes each join cheap (fewest pairwise keys).
 */
public final class Assignment {
    private Assignment() {
    }

    /**
     * The set a node joining through {@code gatewayId} must go to; may be
     * {@code layout.nextSetId()}. Pure function of (layout, gatewayId); O(sets of the gateway).
     */
    public static int selectSet(SetLayout layout, int gatewayId) {
        if (gatewayId < 1) {
            throw new IllegalArgumentException("gateway id must be >= 1: " + gatewayId);
        }
        int target = LayoutBounds.targetSetSize(layout.memberCount() + 1);
        int best = layout.nextSetId();
        int bestSize = target; // only sets below the target qualify
        for (int setId : layout.setsOwnedBy(gatewayId)) { // ascending, so the first minimum wins ties
            int size = layout.size(setId);
            if (size < bestSize) {
                best = setId;
                bestSize = size;
            }
        }
        return best;
    }
}
