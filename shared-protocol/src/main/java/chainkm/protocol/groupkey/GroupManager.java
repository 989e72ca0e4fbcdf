package chainkm.protocol.groupkey;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AesCcm;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group manager (GM) of one group: IoTChain II-E's role, played by the key server of the
 * gateway that owns the device. It knows every member, opens sessions and makes their
 * broadcasts (docs/group-keys.md).
 *
 * <p>Membership changes ({@link #addMember}, {@link #revoke}, {@link #expire}) take effect at
 * the next {@link #newSession()}, which the caller opens after every change (or after the
 * changes of one ledger block) and at its interval. A session opened after a removal starts a
 * new epoch, with a fresh random chain: that is what shuts removed members out, alone or
 * together with anyone who joined later.
 *
 * <p>The state ({@link #encode()}) holds the master secret and the current chain values: keep
 * it like a key (0600) and save it before publishing a broadcast made from it.
 */
public final class GroupManager {
    public static final int STATE_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(GroupManager.class);

    private final String group;
    private final int window;
    private final byte[] master;
    private final SecureRandom random;
    /** The last session opened; 0 before the first. */
    private long session;
    /** A member left since the last session: the next one starts an epoch. */
    private boolean removalPending;
    private long joins;
    private long revocations;
    private long expiries;
    /** The epochs that overlap the window of the last session, oldest first. */
    private final List<Epoch> epochs = new ArrayList<>();
    /** cti → the member's first session; 0 until the next session opens. */
    private final TreeMap<byte[], Long> members = new TreeMap<>(Arrays::compareUnsigned);
    /** cti → {S_m, W_m}, derived once per member (not saved: the master secret gives them again). */
    private final TreeMap<byte[], byte[][]> memberKeys = new TreeMap<>(Arrays::compareUnsigned);

    private GroupManager(String group, int window, byte[] master, SecureRandom random) {
        this.group = GroupName.check(group);
        if (window < 1 || window > SessionBroadcast.MAX_WINDOW) {
            throw new IllegalArgumentException("the healing window is 1.." + SessionBroadcast.MAX_WINDOW + " sessions");
        }
        PersonalSecret.check(master, PersonalSecret.MASTER_SIZE, "a group master secret");
        this.window = window;
        this.master = master.clone();
        this.random = random;
    }

    /**
     * A new group, without members or sessions yet.
     *
     * @param masterSecret 32 random bytes of this group alone (from it come the members' personal secrets)
     * @param window w: a member recovers the key of a session from any of the w broadcasts starting with it
     */
    public static GroupManager create(String group, byte[] masterSecret, int window, SecureRandom random) {
        return new GroupManager(group, window, masterSecret, random);
    }

    public static GroupManager create(String group, byte[] masterSecret, int window) {
        return create(group, masterSecret, window, new SecureRandom());
    }

    /** The most members a group of this name and window may have: its broadcasts stay within {@link SessionBroadcast#MAX_SIZE}. */
    public static int maxMembers(int groupLength, int window) {
        long n = (SessionBroadcast.MAX_SIZE - 26L - groupLength - window) / SessionBroadcast.entrySize(window);
        return (int) Math.min(n, SessionBroadcast.MAX_MEMBERS);
    }

    public int maxMembers() {
        return maxMembers(group.length(), window);
    }

    // --- membership -----------------------------------------------------------------------

    /**
     * Adds the member whose token has this cti; it gets the keys from the next session on.
     *
     * @return false if it is a member already (nothing changes)
     * @throws GroupFullException if the group has {@link #maxMembers()} members
     */
    public synchronized boolean addMember(byte[] cti) throws GroupFullException {
        PersonalSecret.check(cti, PersonalSecret.CTI_SIZE, "a cti");
        if (members.containsKey(cti)) {
            return false;
        }
        if (members.size() >= maxMembers()) {
            LOG.warn("group {}: member {} refused: the group is full ({} members)", group, shortCti(cti), members.size());
            throw new GroupFullException("group " + group + " has " + members.size() + " members, the most its broadcasts can carry");
        }
        members.put(cti.clone(), 0L);
        joins++;
        LOG.info("group {}: member {} joins at session {}", group, shortCti(cti), session + 1);
        return true;
    }

    /** Removes a member whose token was deleted; from the next session on it computes no key. */
    public synchronized boolean revoke(byte[] cti) {
        boolean removed = remove(cti, "revoked");
        if (removed) {
            revocations++;
        }
        return removed;
    }

    /** Removes a member whose token expired; from the next session on it computes no key. */
    public synchronized boolean expire(byte[] cti) {
        boolean removed = remove(cti, "expired");
        if (removed) {
            expiries++;
        }
        return removed;
    }

    private boolean remove(byte[] cti, String why) {
        PersonalSecret.check(cti, PersonalSecret.CTI_SIZE, "a cti");
        if (members.remove(cti) == null) {
            return false;
        }
        byte[][] forgotten = memberKeys.remove(cti);
        if (forgotten != null) {
            Arrays.fill(forgotten[0], (byte) 0);
            Arrays.fill(forgotten[1], (byte) 0);
        }
        removalPending = true;
        LOG.info("group {}: member {} {}, out from session {}", group, shortCti(cti), why, session + 1);
        return true;
    }

    public synchronized boolean isMember(byte[] cti) {
        return cti != null && members.containsKey(cti);
    }

    /**
     * S_m, the personal secret the key server hands a member over DTLS.
     *
     * @throws IllegalArgumentException if this cti is not a member (or joining one)
     */
    public synchronized byte[] personalSecret(byte[] cti) {
        if (!isMember(cti)) {
            throw new IllegalArgumentException("not a member of group " + group);
        }
        return PersonalSecret.derive(master, cti);
    }

    // --- sessions -------------------------------------------------------------------------

    /**
     * Opens session r = {@link #session()} + 1 and makes its broadcast B_r: pending members
     * join, and a new epoch starts if a member left since the last session.
     */
    public synchronized SessionBroadcast newSession() {
        long r = session + 1;
        long start = SessionBroadcast.windowStart(r, window);
        boolean opensEpoch = epochs.isEmpty() || removalPending;
        List<Epoch> next = new ArrayList<>(epochs);
        if (opensEpoch) {
            byte[] seed = new byte[KeyChain.VALUE_SIZE];
            random.nextBytes(seed);
            next.add(new Epoch(r, r, seed));
            Arrays.fill(seed, (byte) 0);
        }
        while (next.size() > 1 && next.get(1).start <= start) {
            next.remove(0);
        }
        Epoch first = next.get(0);
        Epoch anchored = new Epoch(first.start, first.anchor(), first.anchorValue());
        anchored.advanceTo(Math.max(first.start, start), group);
        next.set(0, anchored);

        byte[][] chain = windowChain(next, start, r);
        List<Long> epochStarts = next.subList(1, next.size()).stream().map(e -> e.start).toList();
        byte[] nonce = new byte[SessionBroadcast.NONCE_SIZE];
        random.nextBytes(nonce);
        byte[] header = SessionBroadcast.header(group, r, window, nonce, epochStarts, members.size());

        TreeMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);
        for (Map.Entry<byte[], Long> m : members.entrySet()) {
            long first0 = m.getValue() == 0 ? r : m.getValue();
            long x = Math.max(first0, start);
            byte[] share = share(next, chain, start, r, x).encode();
            byte[][] keys = memberKeys.computeIfAbsent(m.getKey(), cti -> {
                byte[] secret = PersonalSecret.derive(master, cti);
                return new byte[][] {secret, PersonalSecret.wrapKey(secret, group)};
            });
            byte[] tag = PersonalSecret.tag(keys[0], group, r, nonce);
            byte[] aad = PersonalSecret.concat(header, tag);
            byte[] previous = entries.put(tag, AesCcm.seal(keys[1], nonce, aad, share));
            Arrays.fill(share, (byte) 0);
            if (previous != null) {
                // two members with the same 64-bit tag: possible only by chance (about n^2 / 2^65); a fresh nonce retries
                LOG.warn("group {}: two member tags collide at session {}, drawing another nonce", group, r);
                return newSession();
            }
        }
        for (byte[] v : chain) {
            Arrays.fill(v, (byte) 0);
        }
        SessionBroadcast broadcast = SessionBroadcast.assemble(header, new ArrayList<>(entries.keySet()),
                new ArrayList<>(entries.values()));

        // commit: nothing above changed the state
        int joined = 0;
        for (Map.Entry<byte[], Long> m : members.entrySet()) {
            if (m.getValue() == 0) {
                m.setValue(r);
                joined++;
            }
        }
        epochs.clear();
        epochs.addAll(next);
        session = r;
        removalPending = false;
        LOG.info("group {}: session {} opened{}, {} members ({} new), {} bytes", group, r,
                opensEpoch ? " with a new epoch" : "", members.size(), joined, broadcast.encode().length);
        return broadcast;
    }

    /** f_j for every session j of the window [start, r], from each epoch's anchor. */
    private byte[][] windowChain(List<Epoch> epochList, long start, long r) {
        byte[][] chain = new byte[(int) (r - start + 1)][];
        for (int i = 0; i < epochList.size(); i++) {
            Epoch e = epochList.get(i);
            long from = Math.max(e.start, start);
            long to = i + 1 < epochList.size() ? epochList.get(i + 1).start - 1 : r;
            byte[] f = e.valueAt(from, group);
            for (long j = from; j <= to; j++) {
                if (j > from) {
                    f = KeyChain.next(f, j, group);
                }
                chain[(int) (j - start)] = f;
            }
        }
        return chain;
    }

    /** The share of a member whose first session in the window is x. */
    private static WindowShare share(List<Epoch> epochList, byte[][] chain, long start, long r, long x) {
        byte[][] values = new byte[epochList.size()][];
        for (int i = 0; i < epochList.size(); i++) {
            long from = Math.max(epochList.get(i).start, start);
            long to = i + 1 < epochList.size() ? epochList.get(i + 1).start - 1 : r;
            if (to < x) {
                values[i] = new byte[KeyChain.VALUE_SIZE];
            } else {
                values[i] = chain[(int) (Math.max(from, x) - start)].clone();
            }
        }
        return new WindowShare((int) (r - x), values);
    }

    /** The last session opened (0 before the first). */
    public synchronized long session() {
        return session;
    }

    /** K_j, for a session j of the current window: what the device encrypts under (the current one) or a key server hands out. */
    public synchronized Optional<byte[]> key(long j) {
        if (session == 0 || j < SessionBroadcast.windowStart(session, window) || j > session) {
            return Optional.empty();
        }
        Epoch e = epochs.get(0);
        for (Epoch candidate : epochs) {
            if (candidate.start <= j) {
                e = candidate;
            }
        }
        return Optional.of(KeyChain.sessionKey(e.valueAt(j, group), j, group));
    }

    /** The first session of the current epoch (0 before the first session). */
    public synchronized long epochStart() {
        return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).start;
    }

    public String group() {
        return group;
    }

    public int window() {
        return window;
    }

    /** A member and its first session (0: it joins at the next session). */
    public record Membership(byte[] cti, long firstSession) {
        public Membership {
            cti = cti.clone();
        }

        @Override
        public byte[] cti() {
            return cti.clone();
        }
    }

    /** The members, ordered by cti. */
    public synchronized List<Membership> members() {
        return members.entrySet().stream().map(e -> new Membership(e.getKey(), e.getValue())).toList();
    }

    public synchronized int memberCount() {
        return members.size();
    }

    /** Members added over the group's life. */
    public synchronized long joins() {
        return joins;
    }

    /** Members revoked over the group's life. */
    public synchronized long revocations() {
        return revocations;
    }

    /** Members expired over the group's life. */
    public synchronized long expiries() {
        return expiries;
    }

    // --- state ----------------------------------------------------------------------------

    /**
     * The whole state, to save and {@link #decode} after a restart. Big-endian:
     * version 1, group length 1 and group, window 1, master secret 32, session 8, pending
     * removal 1 (0 or 1), joins 8, revocations 8, expiries 8, epoch count 1 and per epoch
     * (first session 8, anchor session 8, chain value at the anchor 16), member count 2 and per
     * member in cti order (cti 16, first session 8, 0 while joining).
     */
    public synchronized byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + group.length() + 1 + 32 + 8 + 1 + 24 + 1 + 32 * epochs.size() + 2
                + 24 * members.size());
        b.put((byte) STATE_VERSION).put((byte) group.length()).put(PersonalSecret.ascii(group)).put((byte) window)
                .put(master).putLong(session).put((byte) (removalPending ? 1 : 0)).putLong(joins).putLong(revocations)
                .putLong(expiries).put((byte) epochs.size());
        for (Epoch e : epochs) {
            b.putLong(e.start).putLong(e.anchor()).put(e.anchorValue());
        }
        b.putShort((short) members.size());
        members.forEach((cti, first) -> b.put(cti).putLong(first));
        return b.array();
    }

    public static GroupManager decode(byte[] state) throws GroupKeyFormatException {
        return decode(state, new SecureRandom());
    }

    /** Restores exactly the manager that {@link #encode()} saved. */
    public static GroupManager decode(byte[] state, SecureRandom random) throws GroupKeyFormatException {
        try {
            ByteBuffer b = ByteBuffer.wrap(state);
            if ((b.get() & 0xFF) != STATE_VERSION) {
                throw new GroupKeyFormatException("group state: unknown version");
            }
            byte[] name = new byte[b.get() & 0xFF];
            b.get(name);
            String group = new String(name, StandardCharsets.US_ASCII);
            int window = b.get() & 0xFF;
            byte[] master = new byte[PersonalSecret.MASTER_SIZE];
            b.get(master);
            if (!GroupName.valid(group) || window < 1) {
                throw new GroupKeyFormatException("group state: malformed group name or window");
            }
            GroupManager gm = new GroupManager(group, window, master, random);
            Arrays.fill(master, (byte) 0);
            gm.session = b.getLong();
            int pending = b.get();
            gm.joins = b.getLong();
            gm.revocations = b.getLong();
            gm.expiries = b.getLong();
            if (gm.session < 0 || (pending != 0 && pending != 1) || gm.joins < 0 || gm.revocations < 0 || gm.expiries < 0) {
                throw new GroupKeyFormatException("group state: counters out of range");
            }
            gm.removalPending = pending == 1;
            int epochCount = b.get() & 0xFF;
            long start = gm.session == 0 ? 0 : SessionBroadcast.windowStart(gm.session, window);
            for (int i = 0; i < epochCount; i++) {
                long first = b.getLong();
                long anchor = b.getLong();
                byte[] value = new byte[KeyChain.VALUE_SIZE];
                b.get(value);
                long expectedAnchor = i == 0 ? Math.max(first, start) : first;
                long previous = i == 0 ? 0 : gm.epochs.get(i - 1).start;
                boolean inWindow = i == 0 ? first >= 1 && first <= start : first > start && first <= gm.session;
                if (!inWindow || first <= previous || anchor != expectedAnchor) {
                    throw new GroupKeyFormatException("group state: epoch " + i + " out of place");
                }
                gm.epochs.add(new Epoch(first, anchor, value));
                Arrays.fill(value, (byte) 0);
            }
            if ((epochCount == 0) != (gm.session == 0) || epochCount > Math.min(window, gm.session)) {
                throw new GroupKeyFormatException("group state: epochs do not match the session");
            }
            int n = b.getShort() & 0xFFFF;
            if (n > gm.maxMembers()) {
                throw new GroupKeyFormatException("group state: more members than a broadcast carries");
            }
            byte[] previousCti = null;
            for (int i = 0; i < n; i++) {
                byte[] cti = new byte[PersonalSecret.CTI_SIZE];
                b.get(cti);
                long first = b.getLong();
                if (previousCti != null && Arrays.compareUnsigned(previousCti, cti) >= 0) {
                    throw new GroupKeyFormatException("group state: members not in cti order");
                }
                if (first < 0 || first > gm.session) {
                    throw new GroupKeyFormatException("group state: a member's first session is out of range");
                }
                gm.members.put(cti, first);
                previousCti = cti;
            }
            if (b.hasRemaining()) {
                throw new GroupKeyFormatException("group state: trailing bytes");
            }
            return gm;
        } catch (BufferUnderflowException e) {
            throw new GroupKeyFormatException("group state truncated");
        }
    }

    private static String shortCti(byte[] cti) {
        return Hex.encode(Arrays.copyOf(cti, 4));
    }

    @Override
    public synchronized String toString() {
        return "GroupManager[group=" + group + ", window=" + window + ", session=" + session + ", epoch from "
                + epochStart() + ", members=" + members.size() + "]";
    }
}
