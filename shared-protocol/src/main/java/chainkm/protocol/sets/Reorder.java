package chainkm.protocol.sets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The paper's Reorder algorithm (III.A.1), run after every leave or eviction to keep the layout
 * uniform. With {@code k = LayoutBounds.targetSetSize(n)} (n members after the leave) it does two
 * things, in this order, and only ever moves nodes between sets of the same gateway:
 * <ol>
 *   <li><b>Merge</b> (the leaver's gateway g only): take g's sets smallest first (ties: lowest
 *       id) and dissolve them while all their members fit into the room below k of the sets that
 *       stay; the members (by set, then ascending id) fill the staying sets most room first
 *       (ties: lowest id). Small sets are the cheapest to remove, and if the smallest does not
 *       fit no other set does. Afterwards {@code (c_g - 1) k < m_g} and
 *       {@link LayoutBounds#checkCompact} holds for g.</li>
 *   <li><b>Cut</b> (any gateway): a set above {@code 2 k} members (possible only when n, hence k,
 *       just fell) keeps its k lowest node ids; the others go first into the room below k of the
 *       owner's other sets, then into as few new sets as possible, split evenly. New sets are
 *       only opened when every set of the owner is full, so bound 2 of {@link LayoutBounds} holds.</li>
 * </ol>
 * Merging only moves nodes from sets that disappear into sets that stay (and never above k), and
 * cutting only takes nodes out of sets above {@code 2 k}, so no node moves twice in one call. Other
 * gateways' sets are touched only by cuts, which need n to fall to about a quarter of what it was
 * when the set was filled; so a leave at one gateway rarely invalidates joins other gateways have
 * in flight. Every move costs a rekey: merging waits until whole sets fit elsewhere, and cutting
 * uses the slack {@code 2 k}. Measured on random workloads (LayoutPropertyTest: 10,000 operations,
 * 2,000 members down to 3 and back): 0.25 (one gateway) to 0.46 moves per leave, at most about k
 * in one call; cuts never occur there. Any rule that keeps the count proportional to sqrt(n)
 * while leaves hit random sets pays, by a simple estimate, about half a move per leave when n
 * shrinks steadily. Cost: O(sets log sets) per call plus O(log n) per move.
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
        // Decide first which sets go (smallest first, while their members fit into the room of
        // the sets that stay), then move: nodes only ever go from a leaving set to a staying one.
        List<int[]> bySize = new ArrayList<>(); // {setId, size}
        long room = 0;
        for (int setId : layout.setsOwnedBy(gatewayId)) {
            int size = layout.size(setId);
            bySize.add(new int[] {setId, size});
            room += Math.max(0, k - size);
        }
        bySize.sort(Comparator.<int[]>comparingInt(x -> x[1]).thenComparingInt(x -> x[0]));
        int dissolved = 0;
        long load = 0;
        while (dissolved < bySize.size() - 1) {
            int size = bySize.get(dissolved)[1];
            long roomWithout = room - Math.max(0, k - size);
            if (load + size > roomWithout) {
                break;
            }
            room = roomWithout;
            load += size;
            dissolved++;
        }
        if (dissolved == 0) {
            return;
        }
        Set<Integer> leaving = new TreeSet<>();
        List<int[]> nodes = new ArrayList<>(); // {nodeId, fromSetId}
        for (int[] set : bySize.subList(0, dissolved)) {
            leaving.add(set[0]);
            for (int node : layout.members(set[0])) {
                nodes.add(new int[] {node, set[0]});
            }
        }
        if (fill(layout, receivers(layout, gatewayId, k, leaving), nodes, moves) != nodes.size()) {
            throw new AssertionError("merge of gateway " + gatewayId + " ran out of room");
        }
    }

    private static void cut(SetLayout layout, int k, List<SetMove> moves) {
        int max = 2 * k;
        for (int s : new ArrayList<>(layout.setIds())) {
            int size = layout.size(s);
            if (size <= max) {
                continue;
            }
            List<int[]> excess = new ArrayList<>(); // keeps its k lowest ids
            for (int node : new ArrayList<>(layout.members(s)).subList(k, size)) {
                excess.add(new int[] {node, s});
            }
            int placed = fill(layout, receivers(layout, layout.ownerOf(s), k, Set.of(s)), excess, moves);
            int rest = excess.size() - placed;
            int newSets = (rest + k - 1) / k;
            for (int i = 0; i < newSets; i++) {
                int take = rest / newSets + (i < rest % newSets ? 1 : 0);
                int to = layout.nextSetId(); // the first move creates it for the owner
                for (int j = 0; j < take; j++) {
                    moveNode(layout, excess.get(placed++)[0], s, to, moves);
                }
            }
        }
    }

    /** The owner's sets below k, not excluded, as {setId, room}: most room first, ties lowest id. */
    private static List<int[]> receivers(SetLayout layout, int owner, int k, Set<Integer> excluded) {
        List<int[]> receivers = new ArrayList<>();
        for (int setId : layout.setsOwnedBy(owner)) {
            int size = layout.size(setId);
            if (size < k && !excluded.contains(setId)) {
                receivers.add(new int[] {setId, k - size});
            }
        }
        // Most room first: the fewest receiving sets, hence the fewest sets to rekey.
        receivers.sort(Comparator.<int[]>comparingInt(r -> -r[1]).thenComparingInt(r -> r[0]));
        return receivers;
    }

    /** Moves {nodeId, fromSetId} pairs, in order, into the receivers up to their room; returns how many moved. */
    private static int fill(SetLayout layout, List<int[]> receivers, List<int[]> nodes, List<SetMove> moves) {
        int placed = 0;
        for (int[] r : receivers) {
            for (int i = 0; i < r[1] && placed < nodes.size(); i++) {
                int[] node = nodes.get(placed++);
                moveNode(layout, node[0], node[1], r[0], moves);
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
