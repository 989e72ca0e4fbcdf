package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.KeyUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rekey plan of an adoption, after REMOVE_GATEWAY: gateway {@code e.nodeId()} left the
 * consortium and gateway {@code e.setId()} adopts its sets. The removed gateway's keys must be
 * assumed known to whoever holds it now, so the adopter gives each adopted set fresh keys (set
 * key and pairwise node keys from its own master secret, pairwise set keys from its pair
 * secrets), delivered to each member in one full-state NODE message under the node key the
 * adopter derives for it: the attachment key the member got when it rejoined there. Every other
 * gateway sends its sets their new pairwise set keys with the adopted sets.
 */
final class AdoptionRekeyPlan {
    private AdoptionRekeyPlan() {}

    /** Applies removal {@code e} as operation {@code s}. */
    static void apply(HeldKeys keys, RekeyArchive archive, RekeyOutbox out, RefreshEntry e, long s) {
        int removed = e.nodeId();
        int adopter = e.setId();
        boolean adopting = adopter == keys.gatewayId();
        Set<Integer> adopted = new TreeSet<>(keys.layout().transferOwnership(removed, adopter));
        if (removed == keys.gatewayId()) {
            keys.forgetAll(); // it owns nothing any more
            return;
        }
        for (int x : adopted) {
            if (adopting) {
                keys.setKey(x, keys.freshSetKey(x, s));
            }
            for (int b : keys.layout().setIds()) {
                if (b != x && (adopting || keys.owns(b))) {
                    keys.pairwiseSetKey(x, b, keys.freshPairwiseSetKey(x, b, s));
                }
            }
        }
        for (int y : keys.layout().setIds()) {
            if (!keys.owns(y)) {
                continue;
            }
            if (adopted.contains(y)) {
                for (int member : keys.layout().members(y)) {
                    out.node(member, keys.fullState(member, y, true));
                    archive.adopted(member, s, y);
                }
            } else {
                List<KeyUpdate> common = new ArrayList<>();
                for (int x : adopted) {
                    common.add(KeyUpdate.put(KeyId.pairwiseSetKey(x, y), keys.pairwiseSetKey(x, y), false));
                }
                out.set(y, common, List.of());
            }
        }
    }
}
