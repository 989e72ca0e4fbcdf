package chainkm.protocol.ledger;

import java.util.Collection;
import java.util.TreeSet;

/**
 * Who adopts the sets of a gateway leaving the consortium: the next gateway id after it among
 * the others, wrapping around (devices that lose their gateway try that one first). The ledger
 * applies the rule to its consortium; a device applies the same rule to the gateways it knows
 * (its bundle's, minus the removals proven to it), so that both name the same adopter.
 */
public final class Succession {
    private Succession() {}

    /**
     * The successor of {@code removed} among {@code gateways} (which may or may not contain it).
     *
     * @throws IllegalStateException when no other gateway is left
     */
    public static int successorOf(Collection<Integer> gateways, int removed) {
        TreeSet<Integer> ids = new TreeSet<>(gateways);
        ids.remove(removed);
        if (ids.isEmpty()) {
            throw new IllegalStateException("no gateway left to adopt gateway " + removed + "'s sets");
        }
        Integer next = ids.higher(removed);
        return next != null ? next : ids.first();
    }
}
