package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import chainkm.protocol.sets.SetLayout;
import chainkm.protocol.sets.SetMove;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Layer 1 of the key management paper on one gateway: follows the ledger's accepted
 * operations in order (operation {@code seq} = its position in the ledger, 1, 2, ...) and,
 * for the sets this gateway owns, keeps the set keys and pairwise set keys, builds the join
 * bundle of each newcomer and the rekey messages that bring every one of its devices to
 * {@code seq}. It knows only keys of links that touch its own devices: the pairwise set key of
 * two sets of other gateways is derived from their pair secret, which it does not have.
 *
 * <p>On a join into set A with refresh key r, every key the newcomer will learn is rolled
 * forward, K' = KDF(K, r): the set key of A and every pairwise set key of A. Members of A get
 * a NODE message (ROLLs and their new pairwise node key with the newcomer) under their node
 * key; every other set gets a SET message (ROLL of its pairwise set key with A) under its set
 * key. On a leave or evict, the leaver's set and every set Reorder took a member from get
 * fresh keys that nobody can derive from the old ones; they reach the remaining members under
 * their node keys and the other sets under their set keys, none of which the leaver had.
 *
 * <p>Not thread-safe: {@link KeyFeed} calls it from one thread.
 */
public final class KeyManager {
    private final int gatewayId;
    private final GatewaySecrets secrets;
    private final Ed25519.KeyPair signer;
    private final SetLayout layout = new SetLayout();
    private final Map<Integer, byte[]> setKeys = new HashMap<>();
    private final Map<KeyId, byte[]> setPairKeys = new HashMap<>();
    /** For each of our nodes: the seq at which it entered each set it was in. */
    private final Map<Integer, NavigableMap<Long, Integer>> setHistory = new HashMap<>();
    private final TreeMap<Long, Map<Integer, byte[]>> nodeMessages = new TreeMap<>();
    private final TreeMap<Long, Map<Integer, byte[]>> setMessages = new TreeMap<>();
    private final Map<Integer, JoinBundle> bundles = new HashMap<>();
    private long seq;

    /** A message to publish: the MQTT topic and the encoded {@link RekeyMessage}. */
    public record Outgoing(String topic, byte[] message) {}

    public KeyManager(int gatewayId, GatewaySecrets secrets, Ed25519.KeyPair signer) {
        this.gatewayId = gatewayId;
        this.secrets = secrets;
        this.signer = signer;
    }

    public long seq() {
        return seq;
    }

    public SetLayout layout() {
        return layout;
    }

    /** True when the node is a member of a set this gateway owns (so this gateway holds its node key). */
    public boolean isOwnNode(int nodeId) {
        return layout.setOf(nodeId).stream().anyMatch(s -> layout.ownerOf(s) == gatewayId);
    }

    public byte[] nodeKey(int nodeId) {
        return KeySchedule.nodeKey(secrets.master(), nodeId);
    }

    public Optional<JoinBundle> bundle(int nodeId) {
        return Optional.ofNullable(bundles.get(nodeId));
    }

    /** Identifiers of every link key this gateway holds (for inventories; never key bytes). */
    public SortedSet<KeyId> heldKeyIds() {
        SortedSet<KeyId> ids = new TreeSet<>();
        setKeys.keySet().forEach(s -> ids.add(KeyId.setKey(s)));
        ids.addAll(setPairKeys.keySet());
        for (int set : layout.setIds()) {
            if (layout.ownerOf(set) != gatewayId) {
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

    /**
     * Identifiers of the keys device {@code nodeId} holds by this gateway's account (it must be
     * one of this gateway's devices): its node key, its set key, a pairwise node key with each
     * member of its set and a pairwise set key with each other set.
     */
    public SortedSet<KeyId> deviceKeyIds(int nodeId) {
        int set = layout.setOf(nodeId).orElseThrow();
        SortedSet<KeyId> ids = new TreeSet<>();
        ids.add(KeyId.nodeKey(nodeId));
        ids.add(KeyId.setKey(set));
        layout.members(set).stream().filter(y -> y != nodeId).forEach(y -> ids.add(KeyId.pairwiseNodeKey(nodeId, y)));
        layout.setIds().stream().filter(b -> b != set).forEach(b -> ids.add(KeyId.pairwiseSetKey(set, b)));
        return ids;
    }

    /**
     * The messages that bring node {@code nodeId} from {@code afterSeq} to the current seq, in
     * order: for each operation its NODE message if it has one, else its set's SET message.
     */
    public List<byte[]> catchUp(int nodeId, long afterSeq) {
        NavigableMap<Long, Integer> history = setHistory.get(nodeId);
        List<byte[]> out = new ArrayList<>();
        if (history == null) {
            return out;
        }
        for (long s = Math.max(afterSeq + 1, history.firstKey() + 1); s <= seq; s++) {
            byte[] own = nodeMessages.getOrDefault(s, Map.of()).get(nodeId);
            if (own != null) {
                out.add(own);
                continue;
            }
            Map.Entry<Long, Integer> setAt = history.floorEntry(s - 1);
            byte[] forSet = setAt == null ? null : setMessages.getOrDefault(s, Map.of()).get(setAt.getValue());
            if (forSet != null) {
                out.add(forSet);
            }
        }
        return out;
    }

    /** Applies the next accepted operation; returns what to publish. */
    public List<Outgoing> apply(RefreshEntry e) {
        return switch (e.operation()) {
            case JOIN -> applyJoin(e);
            case REMOVE_GATEWAY -> applyAdoption(e);
            default -> applyDeparture(e);
        };
    }

    // --- adoption of a removed gateway's sets ----------------------------------------------

    /**
     * Gateway {@code e.nodeId()} left the consortium and {@code e.setId()} adopts its sets. Its
     * keys must be assumed known to whoever holds that gateway now, so the adopter gives each
     * adopted set fresh keys (set key and pairwise node keys from its own master secret,
     * pairwise set keys from its pair secrets), delivered to each member in one full-state NODE
     * message under the node key the adopter derives for it: the attachment key the member got
     * when it rejoined there. Every other gateway sends its sets their new pairwise set keys with
     * the adopted sets.
     */
    private List<Outgoing> applyAdoption(RefreshEntry e) {
        int removed = e.nodeId();
        int adopter = e.setId();
        Set<Integer> adopted = new TreeSet<>(layout.transferOwnership(removed, adopter));
        long s = ++seq;
        List<Outgoing> out = new ArrayList<>();
        if (removed == gatewayId) {
            setKeys.clear();
            setPairKeys.clear();
            return out; // it owns nothing any more
        }
        for (int x : adopted) {
            if (adopter == gatewayId) {
                setKeys.put(x, KeySchedule.freshSetKey(secrets.master(), x, s));
            }
            for (int b : layout.setIds()) {
                if (b != x && (adopter == gatewayId || layout.ownerOf(b) == gatewayId)) {
                    setPairKeys.put(KeyId.pairwiseSetKey(x, b), KeySchedule.freshPairwiseSetKey(pairSecret(x, b), x, b, s));
                }
            }
        }
        for (int y : layout.setIds()) {
            if (layout.ownerOf(y) != gatewayId) {
                continue;
            }
            if (adopted.contains(y)) {
                for (int member : layout.members(y)) {
                    List<KeyUpdate> u = new ArrayList<>();
                    u.add(KeyUpdate.wipe());
                    u.add(KeyUpdate.set(y));
                    u.add(KeyUpdate.put(KeyId.nodeKey(member), nodeKey(member), false));
                    u.add(KeyUpdate.put(KeyId.setKey(y), setKeys.get(y), false));
                    for (int z : layout.members(y)) {
                        if (z != member) {
                            u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(member, z), pnk(member, z, y), false));
                        }
                    }
                    for (int b : layout.setIds()) {
                        if (b != y) {
                            u.add(KeyUpdate.put(KeyId.pairwiseSetKey(y, b), setPairKeys.get(KeyId.pairwiseSetKey(y, b)),
                                    false));
                        }
                    }
                    out.add(nodeMessage(e, s, member, u));
                    // its catch-up here starts with this message: what the removed gateway sent before is moot
                    setHistory.computeIfAbsent(member, k -> new TreeMap<>()).put(s - 1, y);
                }
            } else {
                List<KeyUpdate> common = new ArrayList<>();
                for (int x : adopted) {
                    KeyId psk = KeyId.pairwiseSetKey(x, y);
                    common.add(KeyUpdate.put(psk, setPairKeys.get(psk), false));
                }
                out.add(setMessage(e, s, y, common, List.of()));
            }
        }
        return out;
    }

    // --- join ----------------------------------------------------------------------------

    private List<Outgoing> applyJoin(RefreshEntry e) {
        int n = e.nodeId();
        int a = e.setId();
        boolean newSet = !layout.setIds().contains(a);
        layout.add(n, a, e.gatewayId());
        long s = ++seq;
        byte[] r = e.refreshKey();
        int ownerA = e.gatewayId();
        List<Integer> others = new ArrayList<>(layout.setIds());
        others.remove(Integer.valueOf(a));
        List<Outgoing> out = new ArrayList<>();

        if (ownerA == gatewayId) {
            byte[] sk = newSet ? KeySchedule.freshSetKey(secrets.master(), a, s)
                    : KeyUpdate.rolled(KeyId.setKey(a), setKeys.get(a), r);
            setKeys.put(a, sk);
        }
        for (int b : others) {
            if (ownerA != gatewayId && layout.ownerOf(b) != gatewayId) {
                continue;
            }
            KeyId psk = KeyId.pairwiseSetKey(a, b);
            byte[] value = newSet ? KeySchedule.freshPairwiseSetKey(pairSecret(a, b), a, b, s)
                    : KeyUpdate.rolled(psk, setPairKeys.get(psk), r);
            setPairKeys.put(psk, value);
        }

        RekeyMessage.Header base = null;
        if (ownerA == gatewayId) {
            setHistory.computeIfAbsent(n, k -> new TreeMap<>()).put(s, a);
            // existing members of A: roll what the newcomer learns, and their link with it
            for (int y : layout.members(a)) {
                if (y == n) {
                    continue;
                }
                List<KeyUpdate> u = new ArrayList<>();
                u.add(KeyUpdate.roll(KeyId.setKey(a)));
                others.forEach(b -> u.add(KeyUpdate.roll(KeyId.pairwiseSetKey(a, b))));
                u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(n, y), pnk(n, y, a), false));
                out.add(nodeMessage(e, s, y, u));
            }
            bundles.put(n, bundleFor(n, a, s));
        }
        for (int b : others) {
            if (layout.ownerOf(b) != gatewayId) {
                continue;
            }
            KeyId psk = KeyId.pairwiseSetKey(a, b);
            KeyUpdate u = newSet ? KeyUpdate.put(psk, setPairKeys.get(psk), false) : KeyUpdate.roll(psk);
            out.add(setMessage(e, s, b, List.of(u), List.of()));
        }
        return out;
    }

    private JoinBundle bundleFor(int n, int a, long s) {
        List<KeyMaterial> keys = new ArrayList<>();
        keys.add(new KeyMaterial(KeyId.nodeKey(n), nodeKey(n), s));
        keys.add(new KeyMaterial(KeyId.setKey(a), setKeys.get(a), s));
        for (int y : layout.members(a)) {
            if (y != n) {
                keys.add(new KeyMaterial(KeyId.pairwiseNodeKey(n, y), pnk(n, y, a), s));
            }
        }
        for (int b : layout.setIds()) {
            if (b != a) {
                keys.add(new KeyMaterial(KeyId.pairwiseSetKey(a, b), setPairKeys.get(KeyId.pairwiseSetKey(a, b)), s));
            }
        }
        // the commitment is the device's own (see GatewayDeviceService.join): not known here
        return new JoinBundle(gatewayId, n, a, s, new byte[chainkm.protocol.ledger.SecretCode.SIZE], keys);
    }

    // --- leave and evict -----------------------------------------------------------------

    private List<Outgoing> applyDeparture(RefreshEntry e) {
        int n = e.nodeId();
        int a = e.setId();
        int ownerA = layout.ownerOf(a);
        Set<Integer> before = new TreeSet<>(layout.setIds());
        Map<Integer, Set<Integer>> membersBefore = new HashMap<>();
        for (int set : before) {
            membersBefore.put(set, new TreeSet<>(layout.members(set)));
        }
        layout.remove(n);
        for (SetMove m : e.moves()) {
            layout.move(m.nodeId(), m.toSetId());
        }
        long s = ++seq;
        Set<Integer> after = new TreeSet<>(layout.setIds());
        Set<Integer> gone = new TreeSet<>(before);
        gone.removeAll(after);
        // sets whose keys the leaver or a moved node knew, and sets Reorder opened: fresh keys
        Set<Integer> renewed = new TreeSet<>();
        renewed.add(a);
        e.moves().forEach(m -> renewed.add(m.fromSetId()));
        renewed.retainAll(after);
        for (int set : after) {
            if (!before.contains(set)) {
                renewed.add(set);
            }
        }
        Map<Integer, Integer> movedTo = new HashMap<>();
        e.moves().forEach(m -> movedTo.put(m.nodeId(), m.toSetId()));

        for (int g : gone) {
            setKeys.remove(g);
            setPairKeys.keySet().removeIf(id -> id.involvesSet(g));
        }
        for (int x : renewed) {
            if (layout.ownerOf(x) == gatewayId) {
                setKeys.put(x, KeySchedule.freshSetKey(secrets.master(), x, s));
            }
            for (int b : after) {
                if (b != x && (layout.ownerOf(x) == gatewayId || layout.ownerOf(b) == gatewayId)) {
                    setPairKeys.put(KeyId.pairwiseSetKey(x, b), KeySchedule.freshPairwiseSetKey(pairSecret(x, b), x, b, s));
                }
            }
        }

        List<Outgoing> out = new ArrayList<>();
        for (int y : after) {
            if (layout.ownerOf(y) != gatewayId) {
                continue;
            }
            Set<Integer> individual = new TreeSet<>();
            if (ownerA == gatewayId) {
                for (int member : layout.members(y)) {
                    List<KeyUpdate> u = nodeUpdates(member, y, n, movedTo, membersBefore, renewed, gone, after);
                    if (u != null) {
                        individual.add(member);
                        out.add(nodeMessage(e, s, member, u));
                        setHistory.computeIfAbsent(member, k -> new TreeMap<>());
                        if (movedTo.containsKey(member)) {
                            setHistory.get(member).put(s, y);
                        }
                    }
                }
            }
            if (individual.size() < layout.members(y).size()) {
                List<KeyUpdate> common = new ArrayList<>();
                for (int x : renewed) {
                    if (x != y) {
                        KeyId psk = KeyId.pairwiseSetKey(x, y);
                        common.add(KeyUpdate.put(psk, setPairKeys.get(psk), false));
                    }
                }
                gone.forEach(g -> common.add(KeyUpdate.delete(KeyId.pairwiseSetKey(g, y))));
                out.add(setMessage(e, s, y, common, new ArrayList<>(individual)));
            }
        }
        return out;
    }

    /** What member {@code y} of set {@code set} needs individually for this departure, or null if its set's message will do. */
    private List<KeyUpdate> nodeUpdates(int y, int set, int leaver, Map<Integer, Integer> movedTo,
                                        Map<Integer, Set<Integer>> membersBefore, Set<Integer> renewed,
                                        Set<Integer> gone, Set<Integer> after) {
        List<KeyUpdate> u = new ArrayList<>();
        if (movedTo.containsKey(y)) {
            // a moved device starts over in its new set (it is a member: no need to hide the set's past)
            u.add(KeyUpdate.wipe());
            u.add(KeyUpdate.set(set));
            u.add(KeyUpdate.put(KeyId.setKey(set), setKeys.get(set), false));
            for (int z : layout.members(set)) {
                if (z != y) {
                    u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(y, z), pnk(y, z, set), false));
                }
            }
            for (int b : after) {
                if (b != set) {
                    u.add(KeyUpdate.put(KeyId.pairwiseSetKey(set, b), setPairKeys.get(KeyId.pairwiseSetKey(set, b)), false));
                }
            }
            return u;
        }
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
                u.add(KeyUpdate.put(KeyId.pairwiseNodeKey(y, x), pnk(y, x, set), false));
                linksChanged = true;
            }
        }
        if (!renewed.contains(set) && !linksChanged) {
            return null;
        }
        if (renewed.contains(set)) {
            u.add(KeyUpdate.put(KeyId.setKey(set), setKeys.get(set), false));
            for (int b : after) {
                if (b != set) {
                    u.add(KeyUpdate.put(KeyId.pairwiseSetKey(set, b), setPairKeys.get(KeyId.pairwiseSetKey(set, b)), false));
                }
            }
        } else {
            for (int x : renewed) {
                KeyId psk = KeyId.pairwiseSetKey(x, set);
                u.add(KeyUpdate.put(psk, setPairKeys.get(psk), false));
            }
        }
        gone.forEach(g -> u.add(KeyUpdate.delete(KeyId.pairwiseSetKey(g, set))));
        return u;
    }

    // --- helpers -------------------------------------------------------------------------

    private byte[] pnk(int x, int y, int set) {
        return KeySchedule.pairwiseNodeKey(secrets.master(), x, y, set);
    }

    private byte[] pairSecret(int setA, int setB) {
        int ga = layout.ownerOf(setA);
        int gb = layout.ownerOf(setB);
        int other = ga == gatewayId ? gb : ga;
        return secrets.pairSecret(other);
    }

    private Outgoing nodeMessage(RefreshEntry e, long s, int node, List<KeyUpdate> updates) {
        RekeyMessage m = RekeyMessage.seal(header(e, s, RekeyMessage.Kind.NODE, node, List.of()), updates,
                nodeKey(node), signer);
        byte[] bytes = m.encode();
        nodeMessages.computeIfAbsent(s, k -> new HashMap<>()).put(node, bytes);
        return new Outgoing(Topics.node(node), bytes);
    }

    private Outgoing setMessage(RefreshEntry e, long s, int set, List<KeyUpdate> updates, List<Integer> exempt) {
        RekeyMessage m = RekeyMessage.seal(header(e, s, RekeyMessage.Kind.SET, set, exempt), updates,
                setKeyBefore(set), signer);
        byte[] bytes = m.encode();
        setMessages.computeIfAbsent(s, k -> new HashMap<>()).put(set, bytes);
        return new Outgoing(Topics.set(set), bytes);
    }

    /** Set messages go out under the set key its members hold: unchanged by this operation (sets with new keys get NODE messages). */
    private byte[] setKeyBefore(int set) {
        return setKeys.get(set);
    }

    private RekeyMessage.Header header(RefreshEntry e, long s, RekeyMessage.Kind kind, int target, List<Integer> exempt) {
        return new RekeyMessage.Header(kind, gatewayId, s, target, e.operation(), e.nodeId(), e.setId(),
                e.refreshKey(), exempt);
    }
}
