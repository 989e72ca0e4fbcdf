package chainkm.protocol.sets;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which set every node belongs to, and which gateway owns every set (paper, III.A.1).
 *
 * <p>The layout is a plain data structure: it enforces only structural rules (a node is in at
 * most one set, a set is non-empty, a node is only added to or moved into a set of the gateway
 * that owns it). Sizes and counts are the business of {@link Assignment}, {@link Reorder} and
 * {@link LayoutBounds}. Everything is kept in sorted maps so that iteration, {@link #encode()}
 * and every algorithm built on it are deterministic across validators: no hash order anywhere.
 *
 * <p>Set ids start at {@value #FIRST_SET_ID}, are handed out in increasing order by
 * {@link #nextSetId()} and are never reused, so an old transaction cannot name a recycled set.
 *
 * <h2>Encoding (version 1, big-endian)</h2>
 * <pre>
 * u8  version = 1
 * i32 nextSetId                (&gt;= 1)
 * i32 setCount                 (&gt;= 0)
 * setCount times, set ids strictly ascending, each in [1, nextSetId):
 *   i32 setId
 *   i32 owner gateway id       (&gt;= 1)
 *   i32 memberCount            (&gt;= 1)
 *   memberCount times: i32 nodeId, strictly ascending (signed order), not in any other set
 * </pre>
 * Nothing may follow the last set. The same layout always yields the same bytes.
 */
public final class SetLayout {
    /** Id of the first set ever created. */
    public static final int FIRST_SET_ID = 1;
    static final byte FORMAT_VERSION = 1;

    private static final class Entry {
        final int owner;
        final TreeSet<Integer> members = new TreeSet<>();

        Entry(int owner) {
            this.owner = owner;
        }
    }

    private final TreeMap<Integer, Entry> sets = new TreeMap<>();
    // Derived indexes (not encoded): node -> set, gateway -> its sets.
    private final TreeMap<Integer, Integer> setOfNode = new TreeMap<>();
    private final TreeMap<Integer, TreeSet<Integer>> setsByOwner = new TreeMap<>();
    private int nextSetId = FIRST_SET_ID;

    public SetLayout() {
    }

    /** Deep copy: later changes to either layout do not affect the other. */
    public SetLayout copy() {
        SetLayout c = new SetLayout();
        c.nextSetId = nextSetId;
        for (Map.Entry<Integer, Entry> e : sets.entrySet()) {
            for (int node : e.getValue().members) {
                c.put(node, e.getKey(), e.getValue().owner);
            }
        }
        return c;
    }

    public int memberCount() {
        return setOfNode.size();
    }

    public int setCount() {
        return sets.size();
    }

    public boolean isMember(int nodeId) {
        return setOfNode.containsKey(nodeId);
    }

    public OptionalInt setOf(int nodeId) {
        Integer s = setOfNode.get(nodeId);
        return s == null ? OptionalInt.empty() : OptionalInt.of(s);
    }

    /** All set ids, ascending (unmodifiable view). */
    public SortedSet<Integer> setIds() {
        return Collections.unmodifiableSortedSet(sets.navigableKeySet());
    }

    /** Members of a set, ascending (unmodifiable view); empty if there is no such set. */
    public SortedSet<Integer> members(int setId) {
        Entry e = sets.get(setId);
        return e == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(e.members);
    }

    /** Number of members of a set; 0 if there is no such set. */
    public int size(int setId) {
        Entry e = sets.get(setId);
        return e == null ? 0 : e.members.size();
    }

    /** The gateway that owns a set. */
    public int ownerOf(int setId) {
        return entry(setId).owner;
    }

    /** Ids of the sets owned by a gateway, ascending (unmodifiable view); empty if none. */
    public SortedSet<Integer> setsOwnedBy(int gatewayId) {
        TreeSet<Integer> s = setsByOwner.get(gatewayId);
        return s == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(s);
    }

    /** Gateways that own at least one set, ascending (unmodifiable view). */
    public SortedSet<Integer> owners() {
        return Collections.unmodifiableSortedSet(setsByOwner.navigableKeySet());
    }

    /** Number of members in the sets owned by a gateway (O(its sets)). */
    public int memberCountOf(int gatewayId) {
        int m = 0;
        for (int s : setsOwnedBy(gatewayId)) {
            m += size(s);
        }
        return m;
    }

    /**
     * Hands every set of gateway {@code from} to gateway {@code to} (adoption after {@code from}
     * left the consortium); members and set ids stay as they are. Returns the sets handed over.
     */
    public SortedSet<Integer> transferOwnership(int from, int to) {
        if (to < 1 || from == to) {
            throw new IllegalArgumentException("cannot hand gateway " + from + "'s sets to gateway " + to);
        }
        TreeSet<Integer> moved = setsByOwner.remove(from);
        if (moved == null) {
            return Collections.emptySortedSet();
        }
        for (int setId : moved) {
            Entry old = sets.get(setId);
            Entry adopted = new Entry(to);
            adopted.members.addAll(old.members);
            sets.put(setId, adopted);
        }
        setsByOwner.computeIfAbsent(to, g -> new TreeSet<>()).addAll(moved);
        return Collections.unmodifiableSortedSet(moved);
    }

    /** The id the next created set will get. Strictly increasing, never reused. */
    public int nextSetId() {
        return nextSetId;
    }

    /**
     * Adds a node that joined through {@code gatewayId}. If {@code setId == nextSetId()} a new set
     * owned by that gateway is created; otherwise the set must exist and be owned by it.
     *
     * @throws IllegalStateException if the node is already a member
     * @throws IllegalArgumentException for a gateway id below 1, an unknown set id, or a set of
     *     another gateway
     */
    public void add(int nodeId, int setId, int gatewayId) {
        if (gatewayId < 1) {
            throw new IllegalArgumentException("gateway id must be >= 1: " + gatewayId);
        }
        if (isMember(nodeId)) {
            throw new IllegalStateException("node " + nodeId + " is already in set " + setOfNode.get(nodeId));
        }
        if (setId == nextSetId) {
            createSet();
        } else {
            Entry e = entry(setId);
            if (e.owner != gatewayId) {
                throw new IllegalArgumentException(
                        "set " + setId + " is owned by gateway " + e.owner + ", not " + gatewayId);
            }
        }
        put(nodeId, setId, gatewayId);
    }

    /**
     * Removes a member. A set left empty disappears (its id is not reused).
     *
     * @throws IllegalArgumentException if the node is not a member
     */
    public void remove(int nodeId) {
        Integer setId = setOfNode.remove(nodeId);
        if (setId == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not a member");
        }
        Entry e = sets.get(setId);
        e.members.remove(nodeId);
        if (e.members.isEmpty()) {
            sets.remove(setId);
            TreeSet<Integer> own = setsByOwner.get(e.owner);
            own.remove(setId);
            if (own.isEmpty()) {
                setsByOwner.remove(e.owner);
            }
        }
    }

    /**
     * Moves a member to another set of the same owner; {@code toSetId == nextSetId()} creates
     * that set for the owner. A set left empty disappears.
     *
     * @throws IllegalArgumentException if the node is not a member, the target is its own set,
     *     does not exist, or belongs to another gateway
     */
    public void move(int nodeId, int toSetId) {
        Integer from = setOfNode.get(nodeId);
        if (from == null) {
            throw new IllegalArgumentException("node " + nodeId + " is not a member");
        }
        if (from == toSetId) {
            throw new IllegalArgumentException("node " + nodeId + " is already in set " + toSetId);
        }
        int owner = sets.get(from).owner;
        if (toSetId == nextSetId) {
            createSet();
        } else if (entry(toSetId).owner != owner) {
            throw new IllegalArgumentException("cannot move node " + nodeId + " from a set of gateway "
                    + owner + " to set " + toSetId + " of gateway " + entry(toSetId).owner);
        }
        remove(nodeId);
        put(nodeId, toSetId, owner);
    }

    /** Canonical bytes; see the class comment for the format. */
    public byte[] encode() {
        int length = 1 + 4 + 4;
        for (Entry e : sets.values()) {
            length += 12 + 4 * e.members.size();
        }
        ByteBuffer b = ByteBuffer.allocate(length); // big-endian by default
        b.put(FORMAT_VERSION).putInt(nextSetId).putInt(sets.size());
        for (Map.Entry<Integer, Entry> e : sets.entrySet()) {
            b.putInt(e.getKey()).putInt(e.getValue().owner).putInt(e.getValue().members.size());
            for (int node : e.getValue().members) {
                b.putInt(node);
            }
        }
        return b.array();
    }

    /**
     * Parses {@link #encode()} output, refusing anything that is not exactly canonical.
     *
     * @throws IllegalArgumentException on malformed input
     */
    public static SetLayout decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte version = b.get();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown set layout version " + version);
            }
            SetLayout l = new SetLayout();
            l.nextSetId = b.getInt();
            if (l.nextSetId < FIRST_SET_ID) {
                throw new IllegalArgumentException("nextSetId " + l.nextSetId + " < " + FIRST_SET_ID);
            }
            int setCount = b.getInt();
            if (setCount < 0) {
                throw new IllegalArgumentException("negative set count " + setCount);
            }
            int previousSet = FIRST_SET_ID - 1;
            for (int i = 0; i < setCount; i++) {
                int setId = b.getInt();
                int owner = b.getInt();
                int count = b.getInt();
                if (setId <= previousSet || setId >= l.nextSetId) {
                    throw new IllegalArgumentException("set id " + setId + " out of order or not below nextSetId");
                }
                if (owner < 1) {
                    throw new IllegalArgumentException("set " + setId + " has owner " + owner);
                }
                if (count < 1) {
                    throw new IllegalArgumentException("set " + setId + " has member count " + count);
                }
                long previousNode = Long.MIN_VALUE;
                for (int j = 0; j < count; j++) {
                    int node = b.getInt();
                    if (node <= previousNode) {
                        throw new IllegalArgumentException("members of set " + setId + " not strictly ascending");
                    }
                    if (l.isMember(node)) {
                        throw new IllegalArgumentException("node " + node + " is in two sets");
                    }
                    l.put(node, setId, owner);
                    previousNode = node;
                }
                previousSet = setId;
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " trailing bytes");
            }
            return l;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated set layout", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SetLayout other) || nextSetId != other.nextSetId || sets.size() != other.sets.size()) {
            return false;
        }
        for (Map.Entry<Integer, Entry> e : sets.entrySet()) {
            Entry mine = e.getValue();
            Entry theirs = other.sets.get(e.getKey());
            if (theirs == null || mine.owner != theirs.owner || !mine.members.equals(theirs.members)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = nextSetId;
        for (Map.Entry<Integer, Entry> e : sets.entrySet()) {
            h = 31 * h + e.getKey();
            h = 31 * h + e.getValue().owner;
            h = 31 * h + e.getValue().members.hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        return "SetLayout{members=" + memberCount() + ", sets=" + setCount() + ", nextSetId=" + nextSetId + "}";
    }

    private Entry entry(int setId) {
        Entry e = sets.get(setId);
        if (e == null) {
            throw new IllegalArgumentException("no set " + setId);
        }
        return e;
    }

    private void createSet() {
        if (nextSetId == Integer.MAX_VALUE) {
            throw new IllegalStateException("set ids exhausted");
        }
        nextSetId++;
    }

    // Inserts without checks; callers have validated the arguments.
    private void put(int nodeId, int setId, int owner) {
        sets.computeIfAbsent(setId, id -> new Entry(owner)).members.add(nodeId);
        setsByOwner.computeIfAbsent(owner, g -> new TreeSet<>()).add(setId);
        setOfNode.put(nodeId, setId);
    }
}
