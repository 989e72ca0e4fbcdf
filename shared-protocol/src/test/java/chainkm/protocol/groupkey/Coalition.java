package chainkm.protocol.groupkey;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An attacker that pools the personal secrets of several members (revoked, expired, joined
 * later, current: any mix) with every broadcast ever sent, and applies every derivation the
 * scheme offers until nothing new comes out:
 * <ul>
 *   <li>open every entry of every broadcast whose tag matches one of its secrets, with that
 *       secret's wrap key (and also every entry with every secret, ignoring tags);</li>
 *   <li>place each value of an opened share at its session, as the public header says, the
 *       zero padding included;</li>
 *   <li>hash every known chain value forward, session after session, across epoch ends too
 *       (it does not need the header to tell it where an epoch ends);</li>
 *   <li>derive a session key from every known chain value at its session.</li>
 * </ul>
 * Hashing backward is not a derivation: it would be inverting HKDF. A value hashed past its
 * epoch's end is followed for {@code ghostSteps} sessions more: beyond, it could only meet a
 * real value through an HKDF collision. The result is every session whose real key the
 * coalition computed.
 */
final class Coalition {
    private final String group;
    private final List<byte[]> secrets;
    private final Map<Long, byte[]> realKeys;
    private final int ghostSteps;
    private final boolean ignoreTags;

    /**
     * @param realKeys K_j of every session, to recognise a real key among the candidates
     * @param ignoreTags also try every secret on every entry (slower: for small scripted cases)
     */
    Coalition(String group, List<byte[]> secrets, Map<Long, byte[]> realKeys, int ghostSteps, boolean ignoreTags) {
        this.group = group;
        this.secrets = secrets;
        this.realKeys = realKeys;
        this.ghostSteps = ghostSteps;
        this.ignoreTags = ignoreTags;
    }

    /** The sessions whose real key the coalition computes from these broadcasts. */
    TreeSet<Long> reach(List<SessionBroadcast> broadcasts) {
        long last = broadcasts.stream().mapToLong(SessionBroadcast::session).max().orElse(0);
        Set<Known> known = new HashSet<>();
        Deque<Known> work = new ArrayDeque<>();
        for (SessionBroadcast b : broadcasts) {
            for (byte[] secret : secrets) {
                for (WindowShare share : open(b, secret)) {
                    for (Known k : place(b, share)) {
                        if (known.add(k)) {
                            work.add(k);
                        }
                    }
                }
            }
        }
        TreeSet<Long> reached = new TreeSet<>();
        while (!work.isEmpty()) {
            Known k = work.poll();
            byte[] f = k.value();
            int ghost = 0;
            for (long j = k.session(); j <= last; j++) {
                if (j > k.session()) {
                    f = KeyChain.next(f, j, group);
                    Known step = new Known(j, f);
                    if (!known.add(step)) {
                        break; // already followed from there
                    }
                }
                boolean real = Arrays.equals(KeyChain.sessionKey(f, j, group), realKeys.get(j));
                if (real) {
                    reached.add(j);
                    ghost = 0;
                } else if (++ghost > ghostSteps) {
                    break;
                }
            }
        }
        return reached;
    }

    private List<WindowShare> open(SessionBroadcast b, byte[] secret) {
        byte[] tag = PersonalSecret.tag(secret, group, b.session(), b.nonce());
        byte[] wrapKey = PersonalSecret.wrapKey(secret, group);
        List<WindowShare> shares = new ArrayList<>();
        List<byte[]> tags = ignoreTags ? allTags(b) : List.of(tag);
        for (byte[] t : tags) {
            for (byte[] ct : b.ciphertextsTagged(t)) {
                try {
                    shares.add(WindowShare.decode(AesCcm.open(wrapKey, b.nonce(), b.aad(t), ct), b.epochs()));
                } catch (AuthenticationException | GroupKeyFormatException e) {
                    // not this secret's entry
                }
            }
        }
        return shares;
    }

    private static List<byte[]> allTags(SessionBroadcast b) {
        byte[] bytes = b.encode();
        int entry = SessionBroadcast.entrySize(b.epochs());
        int header = bytes.length - b.memberCount() * entry;
        List<byte[]> tags = new ArrayList<>();
        for (int i = 0; i < b.memberCount(); i++) {
            tags.add(Arrays.copyOfRange(bytes, header + i * entry, header + i * entry + PersonalSecret.TAG_SIZE));
        }
        return tags;
    }

    /** The values of a share at their sessions: the member's first session x for its epoch, each later epoch's start. */
    private static List<Known> place(SessionBroadcast b, WindowShare share) {
        long x = b.session() - share.offset();
        List<Known> out = new ArrayList<>();
        for (int i = 0; i < b.epochs(); i++) {
            long at = Math.max(x, b.firstSessionOf(i));
            out.add(new Known(Math.min(at, b.session()), share.value(i)));
        }
        return out;
    }

    /** A chain value the coalition holds, at a session. */
    record Known(long session, byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Known k && k.session == session && Arrays.equals(k.value, value);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(session) * 31 + ByteBuffer.wrap(value).getInt();
        }
    }
}
