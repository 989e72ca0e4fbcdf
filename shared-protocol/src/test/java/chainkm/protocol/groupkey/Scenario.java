package chainkm.protocol.groupkey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/** A scripted group: a manager, its members as clients hold them, every broadcast and every real key. */
final class Scenario {
    static final String GROUP = "kitchen-1/temperature";

    GroupManager gm;
    final Map<Long, byte[]> realKeys = new TreeMap<>();
    final List<SessionBroadcast> broadcasts = new ArrayList<>();
    private final Random random;

    /** A client with a token: its cti, its personal secret, its member state, and its membership (first session, end). */
    static final class Client {
        final String name;
        final byte[] cti;
        final byte[] secret;
        GroupMember member;
        long first;
        long end = Long.MAX_VALUE;

        Client(String name, byte[] cti, byte[] secret, GroupMember member) {
            this.name = name;
            this.cti = cti;
            this.secret = secret;
            this.member = member;
        }

        /** Was it a member at session j? */
        boolean memberAt(long j) {
            return first > 0 && first <= j && j < end;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final List<Client> joining = new ArrayList<>();

    Scenario(int window, long seed) {
        this.random = new Random(seed);
        byte[] master = new byte[32];
        random.nextBytes(master);
        this.gm = GroupManager.create(GROUP, master, window, seeded(random.nextLong()));
    }

    /** A SecureRandom whose bytes follow a seed, so a run can be repeated. */
    static SecureRandom seeded(long seed) {
        Random r = new Random(seed);
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                r.nextBytes(bytes);
            }
        };
    }

    Client join(String name) {
        byte[] cti = new byte[16];
        random.nextBytes(cti);
        try {
            gm.addMember(cti);
        } catch (GroupFullException e) {
            throw new AssertionError(e);
        }
        byte[] secret = gm.personalSecret(cti);
        Client c = new Client(name, cti, secret, GroupMember.create(GROUP, secret, Integer.MAX_VALUE));
        joining.add(c);
        return c;
    }

    void revoke(Client c) {
        gm.revoke(c.cti);
        c.end = gm.session() + 1;
        joining.remove(c);
    }

    void expire(Client c) {
        gm.expire(c.cti);
        c.end = gm.session() + 1;
        joining.remove(c);
    }

    /** Opens a session; the broadcast is what arrives over the wire (encoded and decoded). */
    SessionBroadcast session() {
        SessionBroadcast b = gm.newSession();
        long r = b.session();
        joining.forEach(c -> c.first = r);
        joining.clear();
        realKeys.put(r, gm.key(r).orElseThrow());
        try {
            SessionBroadcast received = SessionBroadcast.decode(b.encode());
            broadcasts.add(received);
            return received;
        } catch (GroupKeyFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** Delivers b to these clients. */
    void deliver(SessionBroadcast b, Client... clients) {
        for (Client c : clients) {
            try {
                GroupMember.Reception got = c.member.receive(b);
                assertEquals(c.memberAt(b.session()), got.included(), c + " included in session " + b.session());
            } catch (Exception e) {
                throw new AssertionError(c + " refused session " + b.session(), e);
            }
        }
    }

    /** Opens a session and delivers its broadcast to these clients. */
    SessionBroadcast sessionTo(Client... clients) {
        SessionBroadcast b = session();
        deliver(b, clients);
        return b;
    }

    /** The sessions whose keys the client holds, each checked against the real key. */
    TreeSet<Long> keysOf(Client c) {
        TreeSet<Long> out = new TreeSet<>(c.member.sessions());
        for (long j : out) {
            if (!java.util.Arrays.equals(realKeys.get(j), c.member.key(j).orElseThrow())) {
                throw new AssertionError(c + " holds a wrong key for session " + j);
            }
        }
        return out;
    }

    /** What these clients' secrets yield, pooled with every broadcast. */
    TreeSet<Long> coalitionReach(boolean ignoreTags, Client... clients) {
        List<byte[]> secrets = java.util.Arrays.stream(clients).map(c -> c.secret).toList();
        return new Coalition(GROUP, secrets, realKeys, 2 * gm.window() + 2, ignoreTags).reach(broadcasts);
    }

    /** The sessions so far at which at least one of these clients was a member. */
    TreeSet<Long> entitled(Client... clients) {
        TreeSet<Long> out = new TreeSet<>();
        for (long j : realKeys.keySet()) {
            for (Client c : clients) {
                if (c.memberAt(j)) {
                    out.add(j);
                }
            }
        }
        return out;
    }

    static TreeSet<Long> sessions(long from, long to) {
        TreeSet<Long> out = new TreeSet<>();
        for (long j = from; j <= to; j++) {
            out.add(j);
        }
        return out;
    }
}
