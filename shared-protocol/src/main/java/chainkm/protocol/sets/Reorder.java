package chainkm.protocol.sets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The paper's Reorder algorithm (III.A.1), run after every leave or eviction to keep the layout
 * uniform. With {@code k = LayoutBounds.targetSetSize(n)} (n members after the leave) it does two
 * things, in this order, and only ever moves nodes between sets of the same gateway:
 * <ol>
 *   <li><b>Merge</b> (the leaver's gateway g only): while the smallest set of g fits into the room
 *       the other sets of g have below k, dissolve it into them, most room first (ties: lowest
 *       set id), moving its members in ascending id order. The smallest set is the cheapest one
 *       to remove, and if it does not fit no other set does. Afterwards
 *       {@code (c_g - 1) k < m_g} and {@link LayoutBounds#checkCompact} holds for g.</li>
 *   <li><b>Cut</b> (any gateway): a set above {@code 2 k} members (possible only when n, hence k,
 *       just fell) keeps its k lowest node ids; the others go first into the room below k of the
 *       owner's other sets, then into as few new sets as possible, split evenly. New sets are
 *       only opened when every set of the owner is full, so bound 2 of {@link LayoutBounds} holds.</li>
 * </ol>
 * Merging never makes a set oversized and cutting never moves a node that merging just moved, so
 * no node moves twice in one call. Other gateways' sets are touched only by cuts, which need n to
 * fall to about a quarter of what it was when the set was filled; this keeps a leave at one gateway
 * from invalidating joins that other gateways have in flight. Every move costs a rekey, which is
 * why merging waits until a whole set fits elsewhere and cutting uses the slack {@code 2 k}.
 */
public final class Reorder {
    /** Marks "no set" / "no gateway"; real ids are at least 1. */
    static final int NONE = -1;

    private Reorder() {
    }

    /**
     * Reorders after a node left {@code leftSetId} (already removed from the layout). If that set
     * still exists its owner's sets are merged; if the leave emptied it, the owner is no longer
     * known and only cuts are made (use {@link #afterLeave(SetLayout, int, int)} to merge then too).
     *
     * @return the moves in the order applied; empty if nothing changed
     */
    public static List<SetMove> afterLeave(SetLayout layout, int leftSetId) {
        requirePastSetId(layout, leftSetId);
        int owner = layout.setIds().contains(leftSetId) ? layout.ownerOf(leftSetId) : NONE;
        return run(layout, owner);
    }

    /**
     * Reorders after a node that joined through {@code gatewayId} left {@code leftSetId} (already
     * removed from the layout, which may have deleted the set). Preferred form for the ledger:
     * the gateway's sets are merged whether or not the left set survived.
     *
     * @throws IllegalArgumentException if the left set still exists and is owned by another gateway
     */
    public static List<SetMove> afterLeave(SetLayout layout, int leftSetId, int gatewayId) {
        requirePastSetId(layout, leftSetId);
        if (gatewayId < 1) {
            throw new IllegalArgumentException("gateway id must be >= 1: " + gatewayId);
        }
        if (layout.setIds().contains(leftSetId) && layout.ownerOf(leftSetId) != gatewayId) {
            throw new IllegalArgumentException("set " + leftSetId + " is owned by gateway "
                    + layout.ownerOf(leftSetId) + ", not " + gatewayId);
        }
        return run(layout, gatewayId);
    }

    private static List<SetMove> run(SetLayout layout, int gatewayId) {
        int n = layout.memberCount();
        if (n == 0) {
            return List.of();
        }
        int k = LayoutBounds.targetSetSize(n);
        List<SetMove> moves = new ArrayList<>();
        if (gatewayId != NONE) {
            merge(layout, gatewayId, k, moves);
        }
        cut(layout, k, moves);
        return Collections.unmodifiableList(moves);
    }

    /**
     * The smallest set of the gateway (ties: lowest id) if it fits into the room its other sets
     * have below k, else {@link #NONE}. O(sets of the gateway).
     */
    static int dissolvableSet(SetLayout layout, int gatewayId, int k) {
        int smallest = NONE;
        int smallestSize = Integer.MAX_VALUE;
        long room = 0;
        for (int setId : layout.setsOwnedBy(gatewayId)) {
            int size = layout.size(setId);
            room += Math.max(0, k - size);
            if (size < smallestSize) {
                smallest = setId;
                smallestSize = size;
            }
        }
        if (smallest == NONE) {
            return NONE;
        }
        long roomOfOthers = room - Math.max(0, k - smallestSize);
        return smallestSize <= roomOfOthers ? smallest : NONE;
    }

    private static void merge(SetLayout layout, int gatewayId, int k, List<SetMove> moves) {
        for (int s = dissolvableSet(layout, gatewayId, k); s != NONE; s = dissolvableSet(layout, gatewayId, k)) {
            List<Integer> nodes = new ArrayList<>(layout.members(s));
            int placed = fillRoom(layout, s, nodes, k, moves);
            if (placed != nodes.size()) {
                throw new AssertionError("set " + s + " was dissolvable but " + (nodes.size() - placed) + " stayed");
            }
        }
    }

    private static void cut(SetLayout layout, int k, List<SetMove> moves) {
        int max = 2 * k;
        for (int s : new ArrayList<>(layout.setIds())) {
            int size = layout.size(s);
            if (size <= max) {
                continue;
            }
            List<Integer> excess = new ArrayList<>(layout.members(s)).subList(k, size);
            int placed = fillRoom(layout, s, excess, k, moves);
            int rest = excess.size() - placed;
            if (rest == 0) {
                continue;
            }
            int newSets = (rest + k - 1) / k;
            int next = placed;
            for (int i = 0; i < newSets; i++) {
                int take = rest / newSets + (i < rest % newSets ? 1 : 0);
                int to = layout.nextSetId(); // the first move creates it for the owner
                for (int j = 0; j < take; j++) {
                    moveNode(layout, excess.get(next++), s, to, moves);
                }
            }
        }
    }

    /**
     * Moves nodes, in list order, into the other sets of fromSet's owner that have fewer than k
     * members, most room first (ties: lowest id), each filled up to k. Returns how many moved.
     */
    private static int fillRoom(SetLayout layout, int fromSet, List<Integer> nodes, int k, List<SetMove> moves) {
        int owner = layout.ownerOf(fromSet);
        List<int[]> receivers = new ArrayList<>(); // {setId, room}
        for (int setId : layout.setsOwnedBy(owner)) {
            int size = layout.size(setId);
            if (setId != fromSet && size < k) {
                receivers.add(new int[] {setId, k - size});
            }
        }
        receivers.sort(Comparator.<int[]>comparingInt(r -> -r[1]).thenComparingInt(r -> r[0]));
        int placed = 0;
        for (int[] r : receivers) {
            for (int i = 0; i < r[1] && placed < nodes.size(); i++) {
                moveNode(layout, nodes.get(placed++), fromSet, r[0], moves);
            }
        }
        return placed;
    }

    private static void moveNode(SetLayout layout, int nodeId, int from, int to, List<SetMove> moves) {
        layout.move(nodeId, to);
        moves.add(new SetMove(nodeId, from, to));
    }

    private static void requirePastSetId(SetLayout layout, int setId) {
        if (setId < SetLayout.FIRST_SET_ID || setId >= layout.nextSetId()) {
            throw new IllegalArgumentException("set id " + setId + " was never created");
        }
    }
}
