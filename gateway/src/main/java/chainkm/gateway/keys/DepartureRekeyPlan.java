package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.sets.SetLayout;
import chainkm.protocol.sets.SetMove;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rekey plan of a departure (leave or evict) of node n from set A, with the moves Reorder
 * made after it. Forward secrecy: every key the leaver knew is replaced by one nobody can compute
 * from the old ones, and delivered under keys the leaver never had (the paper's "refresh under
 * the set key" would hand the leaver its own replacement). A, every set Reorder took a member
 * from and every set Reorder opened get fresh keys; their members get them in NODE messages
 * under their node keys, a moved member its new set's whole state, and every other set of this
 * gateway its new pairwise set keys in a SET message under its unchanged set key.
 */
final class DepartureRekeyPlan {
    private final HeldKeys keys;
    private final RekeyArchive archive;
    private final RekeyOutbox out;
    private final RefreshEntry e;
    private final long s;
    private final Map<Integer, Set<Integer>> membersBefore = new HashMap<>();
    private final Set<Integer> after;
    private final Set<Integer> gone;
    /** Sets whose keys the leaver or a moved node knew, and sets Reorder opened: fresh keys. */
    private final Set<Integer> renewed = new TreeSet<>();
    private final Map<Integer, Integer> movedTo = new HashMap<>();

    private DepartureRekeyPlan(HeldKeys keys, RekeyArchive archive, RekeyOutbox out, RefreshEntry e, long s) {
        this.keys = keys;
        this.archive = archive;
        this.out = out;
        this.e = e;
        this.s = s;
        SetLayout layout = keys.layout();
        Set<Integer> before = new TreeSet<>(layout.setIds());
        for (int set : before) {
            membersBefore.put(set, new TreeSet<>(layout.members(set)));
        }
        layout.remove(e.nodeId());
        for (SetMove m : e.moves()) {
            layout.move(m.nodeId(), m.toSetId());
        }
        after = new TreeSet<>(layout.setIds());
        gone = new TreeSet<>(before);
        gone.removeAll(after);
        renewed.add(e.setId());
        e.moves().forEach(m -> renewed.add(m.fromSetId()));
        renewed.retainAll(after);
        for (int set : after) {
            if (!before.contains(set)) {
                renewed.add(set);
            }
        }
        e.moves().forEach(m -> movedTo.put(m.nodeId(), m.toSetId()));
    }

    /** Applies departure {@code e} as operation {@code s}. */
    static void apply(HeldKeys keys, RekeyArchive archive, RekeyOutbox out, RefreshEntry e, long s) {
        boolean ownsA = keys.owns(e.setId());
        new DepartureRekeyPlan(keys, archive, out, e, s).run(ownsA);
    }

    private void run(boolean ownsA) {
        archive.departed(e.nodeId(), s);
        gone.forEach(keys::forgetSet);
        for (int x : renewed) {
            if (keys.owns(x)) {
                keys.setKey(x, keys.freshSetKey(x, s));
            }
            for (int b : after) {
                if (b != x && (keys.owns(x) || keys.owns(b))) {
                    keys.pairwiseSetKey(x, b, keys.freshPairwiseSetKey(x, b, s));
                }
            }
        }
        SetLayout layout = keys.layout();
        for (int y : after) {
            if (!keys.owns(y)) {
                continue;
            }
            Set<Integer> individual = new TreeSet<>();
            if (ownsA) {
                for (int member : layout.members(y)) {
                    List<KeyUpdate> u = nodeUpdates(member, y);
                    if (u != null) {
                        individual.add(member);
                        out.node(member, u);
                        archive.known(member);
                        if (movedTo.containsKey(member)) {
                            archive.entered(member, s, y);
                        }
                    }
                }
            }
            if (individual.size() < layout.members(y).size()) {
                List<KeyUpdate> common = new ArrayList<>();
                for (int x : renewed) {
                    if (x != y) {
                        KeyId psk = KeyId.pairwiseSetKey(x, y);
                        common.add(KeyUpdate.put(psk, keys.pairwiseSetKey(x, y), false));
                    }
                }
                gone.forEach(g -> common.add(KeyUpdate.delete(KeyId.pairwiseSetKey(g, y))));
                out.set(y, common, new ArrayList<>(individual));
            }
        }
    }

    /** What member {@code y} of set {@code set} needs individually for this departure, or null if its set's message will do. */
    private List<KeyUpdate> nodeUpdates(int y, int set) {
        if (movedTo.containsKey(y)) {
            // a moved device starts over in its new set (it is a member: no need to hide the set's past)
            return keys.fullState(y, set, false);
        }
        int leaver = e.nodeId();
        List<KeyUpdate> u = new ArrayList<>();
        Set<Integer> previous = membersBefore.getOrDefault(set, Set.of());
        boolean linksChanged = false;
        if (previous.contains(leaver)) {
            u.add(KeyUpdate.delete(KeyId.pairwiseNodeKey(y, leaver)));
            linksChanged = true;
        }
        for (Map.Entry<Integer, Integer> m : movedTo.entrySet()) {
            int x = m.getKey();
            if (previous.contains(x) && m.getValue() != set) {
                u.add(KeyUpdate.delete(KeyId.pairwiseNodeKey(y, x)));
                linksChanged = true;
            } else if (!previous.contains(x) && m.getValue() == set) {
                u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(y, x), keys.pairwiseNodeKey(y, x, set), false));
                linksChanged = true;
            }
        }
        if (!renewed.contains(set) && !linksChanged) {
            return null;
        }
        if (renewed.contains(set)) {
            u.add(KeyUpdate.put(KeyId.setKey(set), keys.setKey(set), false));
            for (int b : after) {
                if (b != set) {
                    u.add(KeyUpdate.put(KeyId.pairwiseSetKey(set, b), keys.pairwiseSetKey(set, b), false));
                }
            }
        } else {
            for (int x : renewed) {
                u.add(KeyUpdate.put(KeyId.pairwiseSetKey(x, set), keys.pairwiseSetKey(x, set), false));
            }
        }
        gone.forEach(g -> u.add(KeyUpdate.delete(KeyId.pairwiseSetKey(g, set))));
        return u;
    }
}
