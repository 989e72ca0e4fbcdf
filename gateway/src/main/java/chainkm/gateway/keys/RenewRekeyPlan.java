package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.KeyUpdate;
import java.util.ArrayList;
import java.util.List;

/**
 * The rekey plan of a RENEW of set A at operation s (the end of A's cryptoperiod). Every key of
 * A is replaced by one that cannot be computed from the old ones: A's set key, each member's
 * node key, the pairwise node keys within A (all from the owner's master secret with s in the
 * derivation) and A's pairwise set keys (from the pair secret of A's owner and the other set's,
 * so the owner of each other set follows on its own when it applies the same ledger entry).
 *
 * <p>Delivery. Each member of A gets its new keys in a NODE message sealed under its old node
 * key that is <em>not</em> published: it is archived and fetched by the device over its DTLS
 * session ({@code /catchup}). On MQTT, A's topic gets only a notice: a SET message of operation
 * RENEW with no update that exempts every member, which tells each of them to fetch its
 * message. So a captured node key or set key, even with everything the broker carries, does not
 * reveal its successor (the attacker would need the device's identity key to open its DTLS
 * session). Every other set B of this gateway gets the new pairwise set key with A in a SET
 * message under B's set key, which A's members never held.
 *
 * <p>Grace: the data keys (pairwise node and set keys) keep their previous value at the
 * receiver for its short grace period, so D2D messages in flight across the renewal still open;
 * the key-encryption keys (node key, set key) do not.
 */
final class RenewRekeyPlan {
    private RenewRekeyPlan() {}

    /** Applies renewal {@code e} (set {@code e.setId()}) as operation {@code s}. */
    static void apply(HeldKeys keys, RekeyArchive archive, RekeyOutbox out, RefreshEntry e, long s) {
        int a = e.setId();
        if (!keys.layout().setIds().contains(a)) {
            return; // the contract checked it exists: nothing to do for a set this replica does not know
        }
        boolean ownsA = keys.owns(a);
        List<Integer> others = new ArrayList<>(keys.layout().setIds());
        others.remove(Integer.valueOf(a));
        List<Integer> members = new ArrayList<>(keys.layout().members(a));

        if (ownsA) {
            out.set(a, List.of(), members); // the notice, under the set key being replaced
            keys.setKey(a, keys.freshSetKey(a, s));
        }
        for (int b : others) {
            if (ownsA || keys.owns(b)) {
                keys.pairwiseSetKey(a, b, keys.freshPairwiseSetKey(a, b, s));
            }
        }
        if (ownsA) {
            for (int y : members) {
                List<KeyUpdate> u = new ArrayList<>();
                u.add(KeyUpdate.put(KeyId.nodeKey(y), keys.renewedNodeKey(y, s), false));
                u.add(KeyUpdate.put(KeyId.setKey(a), keys.setKey(a), false));
                for (int z : members) {
                    if (z != y) {
                        u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(y, z), keys.renewedPairwiseNodeKey(y, z, a, s), true));
                    }
                }
                others.forEach(b -> u.add(KeyUpdate.put(KeyId.pairwiseSetKey(a, b), keys.pairwiseSetKey(a, b), true)));
                out.nodeInSession(y, u); // sealed under y's node key as it is before this operation
                archive.known(y);
            }
            members.forEach(y -> keys.nodeRenewed(y, s));
            keys.setRenewed(a, s);
        }
        for (int b : others) {
            if (keys.owns(b)) {
                out.set(b, List.of(KeyUpdate.put(KeyId.pairwiseSetKey(a, b), keys.pairwiseSetKey(a, b), true)), List.of());
            }
        }
    }
}
