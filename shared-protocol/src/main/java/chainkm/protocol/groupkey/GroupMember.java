package chainkm.protocol.groupkey;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of a group (a client with a live token, or the device itself): it holds its
 * personal secret S_m and the session keys it computed. From each broadcast B_r it was a
 * member of, it computes K_j for every session j of B_r's window it was a member of, so a
 * broadcast it missed heals as soon as one of the w broadcasts after it arrives.
 */
public final class GroupMember {
    public static final int STATE_VERSION = 1;
    /** Keys of this many sessions back from the latest are kept, by default. */
    public static final int DEFAULT_RETAIN = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);

    private final String group;
    private final byte[] secret;
    private final byte[] wrapKey;
    private final int retain;
    /** The latest session whose broadcast included this member; 0 before the first. */
    private long latest;
    private final TreeMap<Long, byte[]> keys = new TreeMap<>();

    private GroupMember(String group, byte[] secret, int retain) {
        this.group = GroupName.check(group);
        PersonalSecret.check(secret, PersonalSecret.SIZE, "a personal secret");
        if (retain < 1) {
            throw new IllegalArgumentException("a member keeps the keys of at least one session");
        }
        this.secret = secret.clone();
        this.wrapKey = PersonalSecret.wrapKey(secret, group);
        this.retain = retain;
    }

    /** A member with the personal secret the key server gave it, keeping the keys of the last {@link #DEFAULT_RETAIN} sessions. */
    public static GroupMember create(String group, byte[] personalSecret) {
        return create(group, personalSecret, DEFAULT_RETAIN);
    }

    /** A member keeping the keys of sessions latest - retain + 1 .. latest. */
    public static GroupMember create(String group, byte[] personalSecret, int retain) {
        return new GroupMember(group, personalSecret, retain);
    }

    /**
     * What a broadcast gave: whether it included this member, and the sessions whose keys it
     * computed for the first time (the broadcast's own and, when it heals, earlier ones).
     */
    public record Reception(long session, boolean included, List<Long> newSessions) {
        public Reception {
            newSessions = List.copyOf(newSessions);
        }

        /** The sessions before the broadcast's own that it recovered (missed broadcasts). */
        public List<Long> healed() {
            return newSessions.stream().filter(j -> j < session).toList();
        }
    }

    /**
     * Takes in B_r. A broadcast without an entry for this member (not yet joined, revoked or
     * expired) gives nothing and changes nothing.
     *
     * @throws AuthenticationException if B_r is of another group, or its entry for this member
     *         does not open (tampered header or entry, or not made by the group manager); the
     *         state does not change
     */
    public synchronized Reception receive(SessionBroadcast b) throws AuthenticationException {
        if (!b.group().equals(group)) {
            LOG.warn("group {}: refused a broadcast of group {} (session {})", group, b.group(), b.session());
            throw new AuthenticationException("broadcast of group " + b.group() + ", not " + group);
        }
        long r = b.session();
        byte[] nonce = b.nonce();
        byte[] tag = PersonalSecret.tag(secret, group, r, nonce);
        List<byte[]> candidates = b.ciphertextsTagged(tag);
        if (candidates.isEmpty()) {
            LOG.debug("group {}: session {} has no entry for this member", group, r);
            return new Reception(r, false, List.of());
        }
        WindowShare share = open(b, tag, nonce, candidates);
        Map<Long, byte[]> derived;
        try {
            derived = derive(b, share, keys.keySet());
        } finally {
            share.wipe();
        }

        List<Long> fresh = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : derived.entrySet()) {
            byte[] old = keys.put(e.getKey(), e.getValue());
            if (old == null) {
                fresh.add(e.getKey());
            } else if (!Arrays.equals(old, e.getValue())) {
                // only a group manager that issued a session twice (restored from an old copy) does this
                LOG.warn("group {}: the key of session {} changed with broadcast {}", group, e.getKey(), r);
            }
        }
        latest = Math.max(latest, r);
        while (!keys.isEmpty() && keys.firstKey() <= latest - retain) {
            Arrays.fill(keys.pollFirstEntry().getValue(), (byte) 0);
        }
        fresh.removeIf(j -> !keys.containsKey(j));
        if (fresh.stream().anyMatch(j -> j < r)) {
            LOG.info("group {}: session {} healed sessions {}", group, r, fresh.stream().filter(j -> j < r).toList());
        }
        return new Reception(r, true, fresh);
    }

    private WindowShare open(SessionBroadcast b, byte[] tag, byte[] nonce, List<byte[]> candidates)
            throws AuthenticationException {
        for (byte[] ct : candidates) {
            byte[] plain;
            try {
                plain = AesCcm.open(wrapKey, nonce, b.aad(tag), ct);
            } catch (AuthenticationException e) {
                continue; // another member's entry with the same tag, by a 2^-64 chance
            }
            try {
                WindowShare share = WindowShare.decode(plain, b.epochs());
                if (share.offset() > b.session() - b.windowStart()) {
                    throw new GroupKeyFormatException("its offset lies before the window");
                }
                return share;
            } catch (GroupKeyFormatException e) {
                LOG.warn("group {}: refused broadcast of session {}: its entry does not parse ({})", group,
                        b.session(), e.getMessage());
                throw new AuthenticationException("session broadcast entry does not parse");
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
        }
        LOG.warn("group {}: refused broadcast of session {}: this member's entry fails authentication", group, b.session());
        throw new AuthenticationException("session broadcast entry fails authentication");
    }

    /** K_j for j = x .. r, x = r - offset, each from the value of its epoch; known keys are not derived again. */
    private Map<Long, byte[]> derive(SessionBroadcast b, WindowShare share, java.util.Set<Long> known) {
        long r = b.session();
        long x = r - share.offset();
        TreeMap<Long, byte[]> out = new TreeMap<>();
        int epoch = -1;
        byte[] f = null;
        for (long j = x; j <= r; j++) {
            int e = b.epochOf(j);
            if (e != epoch) {
                epoch = e;
                f = share.value(e).clone();
            } else {
                f = KeyChain.next(f, j, group);
            }
            if (j == r || !known.contains(j)) {  // the broadcast's own key always: a re-issued session shows
                out.put(j, KeyChain.sessionKey(f, j, group));
            }
        }
        return out;
    }

    /** K_j, if this member computed it (and still keeps it). */
    public synchronized Optional<byte[]> key(long j) {
        byte[] k = keys.get(j);
        return k == null ? Optional.empty() : Optional.of(k.clone());
    }

    /** The sessions whose keys this member holds. */
    public synchronized NavigableSet<Long> sessions() {
        return Collections.unmodifiableNavigableSet(new TreeSet<>(keys.keySet()));
    }

    /** The latest session whose broadcast included this member (0 before the first). */
    public synchronized long latestSession() {
        return latest;
    }

    public String group() {
        return group;
    }

    // --- state ----------------------------------------------------------------------------

    /**
     * The member's state, to save (it holds the personal secret: 0600) and {@link #decode}.
     * Big-endian: version 1, group length 1 and group, personal secret 32, retain 4, latest
     * session 8, key count 4 and per key in session order (session 8, key 16).
     */
    public synchronized byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(1 + 1 + group.length() + 32 + 4 + 8 + 4 + 24 * keys.size());
        b.put((byte) STATE_VERSION).put((byte) group.length()).put(PersonalSecret.ascii(group)).put(secret)
                .putInt(retain).putLong(latest).putInt(keys.size());
        keys.forEach((j, k) -> b.putLong(j).put(k));
        return b.array();
    }

    public static GroupMember decode(byte[] state) throws GroupKeyFormatException {
        try {
            ByteBuffer b = ByteBuffer.wrap(state);
            if ((b.get() & 0xFF) != STATE_VERSION) {
                throw new GroupKeyFormatException("member state: unknown version");
            }
            byte[] name = new byte[b.get() & 0xFF];
            b.get(name);
            String group = new String(name, StandardCharsets.US_ASCII);
            byte[] secret = new byte[PersonalSecret.SIZE];
            b.get(secret);
            int retain = b.getInt();
            if (!GroupName.valid(group) || retain < 1) {
                throw new GroupKeyFormatException("member state: malformed group name or retention");
            }
            GroupMember m = new GroupMember(group, secret, retain);
            Arrays.fill(secret, (byte) 0);
            m.latest = b.getLong();
            int count = b.getInt();
            if (m.latest < 0 || count < 0 || count > retain || count > b.remaining() / 24) {
                throw new GroupKeyFormatException("member state: key count out of range");
            }
            long previous = 0;
            for (int i = 0; i < count; i++) {
                long j = b.getLong();
                byte[] k = new byte[KeyChain.KEY_SIZE];
                b.get(k);
                if (j <= previous || j > m.latest || j <= m.latest - retain) {
                    throw new GroupKeyFormatException("member state: key of session " + j + " out of place");
                }
                m.keys.put(j, k);
                previous = j;
            }
            if (b.hasRemaining()) {
                throw new GroupKeyFormatException("member state: trailing bytes");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new GroupKeyFormatException("member state truncated");
        }
    }

    @Override
    public synchronized String toString() {
        return "GroupMember[group=" + group + ", latest session=" + latest + ", keys=" + keys.size() + "]";
    }
}
