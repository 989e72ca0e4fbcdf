package chainkm.gateway.keys;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.sets.SetLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The keys one gateway holds, as the ledger's operations left them: the set layout, the set
 * key of each set it owns and the pairwise set key of each pair of sets one of which it owns.
 * Node keys and pairwise node keys are not stored: {@link KeySchedule} derives them from the
 * master secret. A pairwise set key of two sets of other gateways is derived from their pair
 * secret, which this gateway does not have, so it never holds one.
 */
final class HeldKeys {
    private final int gatewayId;
    private final GatewaySecrets secrets;
    private final SetLayout layout = new SetLayout();
    private final Map<Integer, byte[]> setKeys = new HashMap<>();
    private final Map<KeyId, byte[]> setPairKeys = new HashMap<>();
    /**
     * The ledger operation of the last renewal of each member's node key and of each set's
     * pairwise node keys, for the sets this gateway owned when they were renewed; absent: never
     * renewed here (the original derivation). Only the owner tracks them: the node key another
     * gateway hands a rejoining device (its attachment key) stays that gateway's own derivation.
     */
    private final Map<Integer, Long> nodeGeneration = new HashMap<>();
    private final Map<Integer, Long> setGeneration = new HashMap<>();

    HeldKeys(int gatewayId, GatewaySecrets secrets) {
        this.gatewayId = gatewayId;
        this.secrets = secrets;
    }

    int gatewayId() {
        return gatewayId;
    }

    SetLayout layout() {
        return layout;
    }

    boolean owns(int set) {
        return layout.ownerOf(set) == gatewayId;
    }

    /** True when the node is a member of a set this gateway owns (so this gateway holds its node key). */
    boolean isOwnNode(int nodeId) {
        return layout.setOf(nodeId).stream().anyMatch(this::owns);
    }

    byte[] nodeKey(int nodeId) {
        return KeySchedule.nodeKey(secrets.master(), nodeId, nodeGeneration.getOrDefault(nodeId, 0L));
    }

    byte[] pairwiseNodeKey(int x, int y, int set) {
        return KeySchedule.pairwiseNodeKey(secrets.master(), x, y, set, setGeneration.getOrDefault(set, 0L));
    }

    /** The node key {@code nodeId} gets from a renewal at operation {@code seq}. */
    byte[] renewedNodeKey(int nodeId, long seq) {
        return KeySchedule.nodeKey(secrets.master(), nodeId, seq);
    }

    /** The pairwise node key of {@code x} and {@code y} from a renewal of {@code set} at operation {@code seq}. */
    byte[] renewedPairwiseNodeKey(int x, int y, int set, long seq) {
        return KeySchedule.pairwiseNodeKey(secrets.master(), x, y, set, seq);
    }

    /** From now on, node {@code nodeId}'s key is the one its renewal at {@code seq} gave it. */
    void nodeRenewed(int nodeId, long seq) {
        nodeGeneration.put(nodeId, seq);
    }

    /** From now on, the pairwise node keys of {@code set} are those of its renewal at {@code seq}. */
    void setRenewed(int set, long seq) {
        setGeneration.put(set, seq);
    }

    /** Node {@code nodeId} left: its renewed key is no longer needed (node ids are never reused). */
    void forgetNode(int nodeId) {
        nodeGeneration.remove(nodeId);
    }

    byte[] setKey(int set) {
        return setKeys.get(set);
    }

    void setKey(int set, byte[] value) {
        setKeys.put(set, value);
    }

    byte[] pairwiseSetKey(int a, int b) {
        return setPairKeys.get(KeyId.pairwiseSetKey(a, b));
    }

    void pairwiseSetKey(int a, int b, byte[] value) {
        setPairKeys.put(KeyId.pairwiseSetKey(a, b), value);
    }

    /** A set key nobody can compute from earlier ones (a new set, or one a member left). */
    byte[] freshSetKey(int set, long seq) {
        return KeySchedule.freshSetKey(secrets.master(), set, seq);
    }

    /** A pairwise set key nobody can compute from earlier ones, from the two owners' pair secret. */
    byte[] freshPairwiseSetKey(int a, int b, long seq) {
        int ga = layout.ownerOf(a);
        int gb = layout.ownerOf(b);
        int other = ga == gatewayId ? gb : ga;
        return KeySchedule.freshPairwiseSetKey(secrets.pairSecret(other), a, b, seq);
    }

    /** Forgets every key of a set Reorder closed. */
    void forgetSet(int set) {
        setKeys.remove(set);
        setGeneration.remove(set);
        setPairKeys.keySet().removeIf(id -> id.involvesSet(set));
    }

    /** Forgets every set key (this gateway was removed from the consortium and owns nothing any more). */
    void forgetAll() {
        setKeys.clear();
        nodeGeneration.clear();
        setGeneration.clear();
        setPairKeys.clear();
    }

    /**
     * Everything member {@code member} of set {@code set} holds, as updates that replace whatever
     * it held (WIPE keeps only node keys): its set, optionally its node key, the set key, a
     * pairwise node key with each other member and a pairwise set key with each other set.
     */
    List<KeyUpdate> fullState(int member, int set, boolean withNodeKey) {
        List<KeyUpdate> u = new ArrayList<>();
        u.add(KeyUpdate.wipe());
        u.add(KeyUpdate.set(set));
        if (withNodeKey) {
            u.add(KeyUpdate.put(KeyId.nodeKey(member), nodeKey(member), false));
        }
        u.add(KeyUpdate.put(KeyId.setKey(set), setKey(set), false));
        for (int z : layout.members(set)) {
            if (z != member) {
                u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(member, z), pairwiseNodeKey(member, z, set), false));
            }
        }
        for (int b : layout.setIds()) {
            if (b != set) {
                u.add(KeyUpdate.put(KeyId.pairwiseSetKey(set, b), pairwiseSetKey(set, b), false));
            }
        }
        return u;
    }

    /**
     * The join bundle of member {@code n} of set {@code a} at {@code seq}: every key it holds,
     * and its own commitment as the ledger recorded it (zeros when not known here).
     */
    JoinBundle bundle(int n, int a, long seq, byte[] commitment) {
        List<KeyMaterial> keys = new ArrayList<>();
        keys.add(new KeyMaterial(KeyId.nodeKey(n), nodeKey(n), seq));
        keys.add(new KeyMaterial(KeyId.setKey(a), setKey(a), seq));
        for (int y : layout.members(a)) {
            if (y != n) {
                keys.add(new KeyMaterial(KeyId.pairwiseNodeKey(n, y), pairwiseNodeKey(n, y, a), seq));
            }
        }
        for (int b : layout.setIds()) {
            if (b != a) {
                keys.add(new KeyMaterial(KeyId.pairwiseSetKey(a, b), pairwiseSetKey(a, b), seq));
            }
        }
        return new JoinBundle(gatewayId, n, a, seq, commitment == null ? new byte[SecretCode.SIZE] : commitment, keys);
    }

    /** Identifiers of every link key this gateway holds (for inventories; never key bytes). */
    SortedSet<KeyId> heldKeyIds() {
        SortedSet<KeyId> ids = new TreeSet<>();
        setKeys.keySet().forEach(s -> ids.add(KeyId.setKey(s)));
        ids.addAll(setPairKeys.keySet());
        for (int set : layout.setIds()) {
            if (!owns(set)) {
                continue;
            }
            List<Integer> m = new ArrayList<>(layout.members(set));
            for (int i = 0; i < m.size(); i++) {
                ids.add(KeyId.nodeKey(m.get(i)));
                for (int j = i + 1; j < m.size(); j++) {
                    ids.add(KeyId.pairwiseNodeKey(m.get(i), m.get(j)));
                }
            }
        }
        return ids;
    }

    /** Identifiers of the keys one of this gateway's devices holds: node key, set key, pairwise node and set keys. */
    SortedSet<KeyId> deviceKeyIds(int nodeId) {
        int set = layout.setOf(nodeId).orElseThrow();
        SortedSet<KeyId> ids = new TreeSet<>();
        ids.add(KeyId.nodeKey(nodeId));
        ids.add(KeyId.setKey(set));
        layout.members(set).stream().filter(y -> y != nodeId).forEach(y -> ids.add(KeyId.pairwiseNodeKey(nodeId, y)));
        layout.setIds().stream().filter(b -> b != set).forEach(b -> ids.add(KeyId.pairwiseSetKey(set, b)));
        return ids;
    }
}
