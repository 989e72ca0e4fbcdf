package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rekey plan of a join into set A with refresh key r. Backward secrecy: every key the
 * newcomer will learn is rolled forward first, K' = KDF(K, r), so it cannot read older traffic:
 * the set key of A and every pairwise set key of A (or fresh keys, if Reorder's Assignment opened
 * A for it). Members of A get a NODE message (the ROLLs and their new pairwise node key with the
 * newcomer) under their node key; every other set of this gateway gets a SET message (the ROLL of
 * its pairwise set key with A) under its set key. The owner of A also makes the newcomer's join
 * bundle.
 */
final class JoinRekeyPlan {
    private JoinRekeyPlan() {}

    /**
     * Applies join {@code e} as operation {@code s}; returns the newcomer's bundle (with its
     * {@code commitment}, zeros if unknown) when this gateway owns its set.
     */
    static Optional<JoinBundle> apply(HeldKeys keys, RekeyArchive archive, RekeyOutbox out, RefreshEntry e, long s,
                                      byte[] commitment) {
        int n = e.nodeId();
        int a = e.setId();
        boolean newSet = !keys.layout().setIds().contains(a);
        keys.layout().add(n, a, e.gatewayId());
        byte[] r = e.refreshKey();
        boolean ownsA = e.gatewayId() == keys.gatewayId();
        List<Integer> others = new ArrayList<>(keys.layout().setIds());
        others.remove(Integer.valueOf(a));

        if (ownsA) {
            keys.setKey(a, newSet ? keys.freshSetKey(a, s) : KeyUpdate.rolled(KeyId.setKey(a), keys.setKey(a), r));
        }
        for (int b : others) {
            if (!ownsA && !keys.owns(b)) {
                continue;
            }
            byte[] value = newSet ? keys.freshPairwiseSetKey(a, b, s)
                    : KeyUpdate.rolled(KeyId.pairwiseSetKey(a, b), keys.pairwiseSetKey(a, b), r);
            keys.pairwiseSetKey(a, b, value);
        }

        Optional<JoinBundle> bundle = Optional.empty();
        if (ownsA) {
            archive.entered(n, s, a);
            // existing members of A: roll what the newcomer learns, and their link with it
            for (int y : keys.layout().members(a)) {
                if (y == n) {
                    continue;
                }
                List<KeyUpdate> u = new ArrayList<>();
                u.add(KeyUpdate.roll(KeyId.setKey(a)));
                others.forEach(b -> u.add(KeyUpdate.roll(KeyId.pairwiseSetKey(a, b))));
                u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(n, y), keys.pairwiseNodeKey(n, y, a), false));
                out.node(y, u);
            }
            bundle = Optional.of(keys.bundle(n, a, s, commitment));
        }
        for (int b : others) {
            if (!keys.owns(b)) {
                continue;
            }
            KeyId psk = KeyId.pairwiseSetKey(a, b);
            KeyUpdate u = newSet ? KeyUpdate.put(psk, keys.pairwiseSetKey(a, b), false) : KeyUpdate.roll(psk);
            out.set(b, List.of(u), List.of());
        }
        return bundle;
    }
}
