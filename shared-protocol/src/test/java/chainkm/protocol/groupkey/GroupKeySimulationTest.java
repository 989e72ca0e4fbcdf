package chainkm.protocol.groupkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.groupkey.Scenario.Client;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random events on one group: joins, revocations and expiries (alone or several before
 * one session, as in one ledger block), interval sessions, broadcasts lost per member at random
 * and in outages, restarts of the manager and of members from their saved state. Then:
 * <ul>
 *   <li>every member holds exactly the keys the scheme promises: those of the sessions j it was
 *       a member of for which it received one of B_j .. B_{j+w-1}, each equal to the real key;</li>
 *   <li>coalitions of revoked, expired and later-joined members (and sometimes a current one),
 *       pooling their secrets and every broadcast, reach exactly the sessions at least one of
 *       them was a member of ({@link Coalition}).</li>
 * </ul>
 * The seed is fixed for repeatable builds; {@code -Dchainkm.groupkey.seed=N} runs another, and
 * a failure names its seed.
 */
class GroupKeySimulationTest {
    private static final int EVENTS = 10_000;
    private static final int WINDOW = 5;
    private static final int COALITIONS = 10;

    @Test
    void tenThousandRandomEvents() {
        long seed = Long.getLong("chainkm.groupkey.seed", 20180415L);
        try {
            Simulation sim = new Simulation(seed);
            sim.run();
            sim.checkMembers();
            sim.checkCoalitions();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("group key simulation failed with seed " + seed
                    + " (repeat: -Dchainkm.groupkey.seed=" + seed + "): " + e.getMessage(), e);
        }
    }

    private static final class Simulation {
        private final Random rnd;
        private final Scenario s;
        private final List<Client> clients = new ArrayList<>();
        private final List<Client> current = new ArrayList<>();
        /** Removed clients still listening for a few sessions: they must get nothing. */
        private final Map<Client, Integer> listeningAfterRemoval = new HashMap<>();
        private final Map<Client, Double> loss = new HashMap<>();
        private final Map<Client, Long> offlineUntil = new HashMap<>();
        private final Map<Client, TreeSet<Long>> received = new HashMap<>();
        private int batchedSessions;
        private int restarts;

        Simulation(long seed) {
            this.rnd = new Random(seed);
            this.s = new Scenario(WINDOW, rnd.nextLong());
        }

        void run() {
            for (int event = 1; event <= EVENTS; event++) {
                int n = current.size();
                double u = rnd.nextDouble();
                boolean change = true;
                if (n < 3 || (n < 16 && u < 0.34)) {
                    join();
                } else if (u < 0.50) {
                    remove(false);
                } else if (u < 0.66) {
                    remove(true);
                } else {
                    change = false;
                }
                if (!change || rnd.nextDouble() < 0.7) {
                    openSession();
                } else {
                    batchedSessions++;
                }
                if (event % 1499 == 0) {
                    restart();
                }
            }
            openSession();
            assertTrue(s.gm.session() > EVENTS / 2, "sessions: " + s.gm.session());
            assertTrue(batchedSessions > 500, "changes batched into one session: " + batchedSessions);
        }

        private void join() {
            Client c = s.join("c" + clients.size());
            clients.add(c);
            current.add(c);
            loss.put(c, rnd.nextDouble() * 0.6);
            received.put(c, new TreeSet<>());
        }

        private void remove(boolean expiry) {
            Client c = current.remove(rnd.nextInt(current.size()));
            if (expiry) {
                s.expire(c);
            } else {
                s.revoke(c);
            }
            listeningAfterRemoval.put(c, 3);
        }

        private void openSession() {
            SessionBroadcast b = s.session();
            long r = b.session();
            for (Client c : current) {
                if (!offlineUntil.containsKey(c) && rnd.nextDouble() < 0.02) {
                    offlineUntil.put(c, r + 1 + rnd.nextInt(2 * WINDOW));   // an outage
                }
                Long until = offlineUntil.get(c);
                if (until != null && until <= r) {
                    offlineUntil.remove(c);
                    until = null;
                }
                if (until == null && rnd.nextDouble() >= loss.get(c)) {
                    s.deliver(b, c);
                    received.get(c).add(r);
                }
            }
            for (Client c : new ArrayList<>(listeningAfterRemoval.keySet())) {
                s.deliver(b, c);                   // asserts: not included
                if (listeningAfterRemoval.merge(c, -1, Integer::sum) == 0) {
                    listeningAfterRemoval.remove(c);
                }
            }
        }

        /** The manager restarts from its saved state; so does one member. */
        private void restart() {
            try {
                s.gm = GroupManager.decode(s.gm.encode(), Scenario.seeded(rnd.nextLong()));
                Client c = current.get(rnd.nextInt(current.size()));
                c.member = GroupMember.decode(c.member.encode());
                restarts++;
            } catch (GroupKeyFormatException e) {
                throw new AssertionError(e);
            }
        }

        void checkMembers() {
            assertTrue(restarts >= 6);
            long healedSomewhere = 0;
            for (Client c : clients) {
                TreeSet<Long> expected = new TreeSet<>();
                if (c.first > 0) {
                    long last = Math.min(c.end - 1, s.gm.session());
                    for (long j = c.first; j <= last; j++) {
                        Long r = received.get(c).ceiling(j);
                        if (r != null && r <= j + WINDOW - 1) {
                            expected.add(j);
                        }
                    }
                }
                assertEquals(expected, s.keysOf(c), c + " (member " + c.first + ".." + (c.end - 1) + ")");
                healedSomewhere += expected.size() - received.get(c).size();
            }
            assertTrue(healedSomewhere > 1000, "keys recovered by healing: " + healedSomewhere);
        }

        void checkCoalitions() {
            List<Client> removed = clients.stream().filter(c -> c.first > 0 && c.end != Long.MAX_VALUE).toList();
            for (int i = 0; i < COALITIONS; i++) {
                Set<Client> coalition = new LinkedHashSet<>();
                long earliestEnd = Long.MAX_VALUE;
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    Client r = removed.get(rnd.nextInt(removed.size()));
                    coalition.add(r);
                    earliestEnd = Math.min(earliestEnd, r.end);
                }
                long after = earliestEnd;
                List<Client> later = clients.stream().filter(c -> c.first > after).toList();
                for (int k = 1 + rnd.nextInt(3); k > 0 && !later.isEmpty(); k--) {
                    // mostly newcomers soon after the removal: the gap between them is what collusion targets
                    int pick = rnd.nextBoolean() ? rnd.nextInt(Math.min(5, later.size())) : rnd.nextInt(later.size());
                    coalition.add(later.get(pick));
                }
                if (rnd.nextDouble() < 0.3) {
                    coalition.add(current.get(rnd.nextInt(current.size())));
                }
                Client[] members = coalition.toArray(new Client[0]);
                TreeSet<Long> reach = s.coalitionReach(false, members);
                assertEquals(s.entitled(members), reach, "coalition " + describe(members));
            }
        }

        private static String describe(Client[] members) {
            Set<String> parts = new HashSet<>();
            for (Client c : members) {
                parts.add(c + "[" + c.first + ".." + (c.end == Long.MAX_VALUE ? "" : c.end - 1) + "]");
            }
            return parts.toString();
        }
    }
}
