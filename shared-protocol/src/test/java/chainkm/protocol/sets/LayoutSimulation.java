package chainkm.protocol.sets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Drives a layout through random joins and leaves the way the ledger will: Assignment then add
 * for a join, remove then Reorder for a leave. Growth and shrink phases alternate between
 * {@code low} and {@code high} members; a "favourite" gateway that changes over time gets most
 * joins, so gateways grow at different times (the case that makes set counts drift).
 */
final class LayoutSimulation {
    /** What the last step did. */
    record Step(boolean join, int nodeId, int gatewayId, int setId, List<SetMove> moves) {
    }

    SetLayout layout = new SetLayout();
    final int gateways;
    final boolean gatewayAwareReorder;
    private final Random rnd;
    private final int low;
    private final int high;
    // The test's own bookkeeping; only looked up, never iterated, so hash order cannot leak in.
    private final List<Integer> members = new ArrayList<>();
    private final Map<Integer, Integer> position = new HashMap<>();
    final Map<Integer, Integer> joinedVia = new HashMap<>();
    private boolean growing = true;
    private int favourite = 1;
    private int steps;
    long leaves;
    long moves;

    LayoutSimulation(long seed, int gateways, int low, int high, boolean gatewayAwareReorder) {
        this.rnd = new Random(seed);
        this.gateways = gateways;
        this.low = low;
        this.high = high;
        this.gatewayAwareReorder = gatewayAwareReorder;
    }

    Step step() {
        steps++;
        if (steps % 700 == 0) {
            favourite = 1 + rnd.nextInt(gateways);
        }
        int n = layout.memberCount();
        if (growing && n >= high) {
            growing = false;
        } else if (!growing && n <= low) {
            growing = true;
        }
        boolean join = n == 0 || rnd.nextDouble() < (growing ? 0.8 : 0.2);
        return join ? join() : leave();
    }

    private Step join() {
        int gateway = rnd.nextDouble() < 0.6 ? favourite : 1 + rnd.nextInt(gateways);
        int node;
        do {
            node = rnd.nextInt(); // any int, negative too: exercises signed ordering
        } while (joinedVia.containsKey(node));
        int set = Assignment.selectSet(layout, gateway);
        layout.add(node, set, gateway);
        position.put(node, members.size());
        members.add(node);
        joinedVia.put(node, gateway);
        return new Step(true, node, gateway, set, List.of());
    }

    private Step leave() {
        int i = rnd.nextInt(members.size());
        int node = members.get(i);
        int last = members.remove(members.size() - 1);
        if (last != node) {
            members.set(i, last);
            position.put(last, i);
        }
        position.remove(node);
        int gateway = joinedVia.remove(node);
        int set = layout.setOf(node).getAsInt();
        layout.remove(node);
        List<SetMove> done = gatewayAwareReorder
                ? Reorder.afterLeave(layout, set, gateway)
                : Reorder.afterLeave(layout, set);
        leaves++;
        moves += done.size();
        return new Step(false, node, gateway, set, done);
    }

    int memberCount() {
        return members.size();
    }
}
