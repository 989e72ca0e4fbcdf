package chainkm.protocol.groupkey;

import static chainkm.protocol.groupkey.Scenario.sessions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.groupkey.Scenario.Client;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Property (d): no revocation bound. Polynomial schemes (Staddon et al. 2002, Liu, Ning and Sun
 * 2003) stop excluding after t revocations; here each removal opens an epoch delivered under
 * each remaining member's own key, so the thousandth revocation excludes as well as the first,
 * and the manager's state does not grow with them.
 */
class UnboundedRevocationTest {

    @Test
    void aThousandRevocationsEachExcludeTheirMemberAndTheStateStaysBounded() {
        int window = 4;
        Scenario s = new Scenario(window, 31);
        Client stays = s.join("stays");
        Client other = s.join("other");
        s.sessionTo(stays, other);
        int stateSize = s.gm.encode().length;
        List<Client> revoked = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Client x = s.join("x" + i);
            s.sessionTo(stays, other, x);
            if (i % 2 == 0) {
                s.revoke(x);
            } else {
                s.expire(x);
            }
            s.sessionTo(stays, x);               // x hears the broadcast that shuts it out
            revoked.add(x);
            assertEquals(sessions(x.first, x.first), s.keysOf(x), x + " holds exactly its own session");
            assertTrue(s.gm.encode().length <= stateSize + 32 * (window - 1),
                    "state size after " + (i + 1) + " removals: at most one epoch per session of the window");
        }
        long last = s.gm.session();
        assertEquals(2001, last);
        assertEquals(sessions(1, last), s.keysOf(stays));
        assertEquals(1000, s.gm.revocations() + s.gm.expiries());

        // the revoked pooled together: 40 of them, at random, and everything ever broadcast
        Random pick = new Random(32);
        Client[] coalition = new Client[40];
        for (int i = 0; i < coalition.length; i++) {
            coalition[i] = revoked.get(pick.nextInt(revoked.size()));
        }
        TreeSet<Long> reach = s.coalitionReach(false, coalition);
        assertEquals(s.entitled(coalition), reach);
        assertTrue(reach.size() <= coalition.length, "one session each, nothing between");

        // and the member that stayed still heals after the last of them
        s.session();
        s.session();
        s.deliver(s.session(), stays);
        assertEquals(sessions(1, last + 3), s.keysOf(stays));
    }
}
