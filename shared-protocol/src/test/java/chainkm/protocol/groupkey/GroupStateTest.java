package chainkm.protocol.groupkey;

import static chainkm.protocol.groupkey.Scenario.sessions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.groupkey.Scenario.Client;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The manager's and the members' state survive a restart exactly, and malformed state is refused. */
class GroupStateTest {

    @Test
    void aRestoredManagerContinuesExactlyAsTheOriginal() throws Exception {
        Scenario s = new Scenario(4, 51);
        Client a = s.join("a");
        assertRoundTrip(s.gm);                     // before any session, one member joining
        s.sessionTo(a);
        Client x = s.join("x");
        s.sessionTo(a, x);
        s.revoke(x);
        assertRoundTrip(s.gm);                     // a removal pending
        s.sessionTo(a);
        s.join("y");
        s.sessionTo(a);
        assertRoundTrip(s.gm);                     // two epochs in the window, a member joining

        long seed = 52;
        GroupManager original = GroupManager.decode(s.gm.encode(), Scenario.seeded(seed));
        GroupManager restored = GroupManager.decode(original.encode(), Scenario.seeded(seed));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(original.newSession().encode(), restored.newSession().encode(), "session " + original.session());
        }
        assertEquals(Hex.encode(original.encode()), Hex.encode(restored.encode()));
        assertEquals(original.revocations(), restored.revocations());
        assertEquals(1, restored.revocations());
        assertEquals(3, restored.joins());
    }

    @Test
    void aRestoredMemberKeepsItsKeysAndGoesOnHealing() throws Exception {
        Scenario s = new Scenario(4, 53);
        Client a = s.join("a");
        s.sessionTo(a);
        s.sessionTo(a);
        GroupMember restored = GroupMember.decode(a.member.encode());
        assertEquals(Hex.encode(a.member.encode()), Hex.encode(restored.encode()));
        a.member = restored;
        s.session();                               // missed
        s.sessionTo(a);

        assertEquals(sessions(1, 4), s.keysOf(a));
        assertEquals(4, a.member.latestSession());
    }

    @Test
    void aMemberKeepsOnlyTheKeysOfItsRetention() throws Exception {
        Scenario s = new Scenario(2, 54);
        Client a = s.join("a");
        a.member = GroupMember.create(Scenario.GROUP, a.secret, 3);
        for (int i = 0; i < 6; i++) {
            s.sessionTo(a);
        }
        assertEquals(sessions(4, 6), s.keysOf(a));
        assertTrue(a.member.key(3).isEmpty());
        assertEquals(Hex.encode(a.member.encode()), Hex.encode(GroupMember.decode(a.member.encode()).encode()));
    }

    @Test
    void malformedStateIsRefused() {
        Scenario s = new Scenario(4, 55);
        s.sessionTo(s.join("a"), s.join("b"));
        byte[] gm = s.gm.encode();
        for (byte[] bad : List.of(Arrays.copyOf(gm, gm.length - 1), Arrays.copyOf(gm, gm.length + 1), new byte[0],
                withByte(gm, 0, 9))) {
            assertThrows(GroupKeyFormatException.class, () -> GroupManager.decode(bad));
        }
        int epochCount = 2 + Scenario.GROUP.length() + 1 + 32 + 8 + 1 + 24;
        assertThrows(GroupKeyFormatException.class, () -> GroupManager.decode(withByte(gm, epochCount, 0)));

        Client c = s.join("c");
        byte[] member = c.member.encode();
        for (byte[] bad : List.of(Arrays.copyOf(member, member.length - 1), Arrays.copyOf(member, member.length + 1),
                withByte(member, 0, 9))) {
            assertThrows(GroupKeyFormatException.class, () -> GroupMember.decode(bad));
        }
    }

    @Test
    void noSecretInNamesOrRefusals() throws Exception {
        Scenario s = new Scenario(4, 56);
        Client a = s.join("a");
        SessionBroadcast b = s.sessionTo(a);
        String secrets = Hex.encode(a.secret) + Hex.encode(s.realKeys.get(1L));
        for (String shown : List.of(s.gm.toString(), a.member.toString(), b.toString())) {
            assertFalse(secrets.contains(shown) || shown.matches(".*[0-9a-f]{32}.*"), shown);
        }
        assertThrows(IllegalArgumentException.class, () -> s.gm.personalSecret(new byte[16]), "no secret for a non-member");
    }

    private static void assertRoundTrip(GroupManager gm) throws GroupKeyFormatException {
        assertEquals(Hex.encode(gm.encode()), Hex.encode(GroupManager.decode(gm.encode()).encode()));
    }

    private static byte[] withByte(byte[] bytes, int at, int value) {
        byte[] out = bytes.clone();
        out[at] = (byte) value;
        return out;
    }
}
