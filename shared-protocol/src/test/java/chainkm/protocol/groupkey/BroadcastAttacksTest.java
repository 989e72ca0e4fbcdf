package chainkm.protocol.groupkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.groupkey.Scenario.Client;
import chainkm.protocol.keys.AuthenticationException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Attacks on a member through the broadcasts it receives: each is refused with a reason and a
 * log line, and the member's state does not change. (The gateway's signature on the MQTT
 * message is a second, outer check; these hold without it.)
 */
class BroadcastAttacksTest {
    private final Scenario s = new Scenario(4, 41);
    private final Client a = s.join("a");
    private final Client b = s.join("b");

    BroadcastAttacksTest() {
        s.sessionTo(a, b);
    }

    @Test
    void aTamperedHeaderIsRefusedByEveryMember() throws Exception {
        s.revoke(s.join("x"));
        s.session();                              // 2: an epoch starts
        s.session();                              // 3
        s.revoke(s.join("y"));
        byte[] bytes = s.session().encode();      // 4: window 1..4, epochs from 1, 2 and 4
        assertEquals(java.util.List.of(2L, 4L), SessionBroadcast.decode(bytes).epochStarts());
        int g = Scenario.GROUP.length();
        int window = 2 + g + 8;
        int epochStarts = 2 + g + 8 + 1 + 13 + 1;

        byte[] wider = bytes.clone();
        wider[window] = 5;                        // a wider window than the manager's
        byte[] moved = bytes.clone();
        moved[epochStarts] = 1;                   // the second epoch said to start at 3, not 2
        for (byte[] forged : new byte[][] {wider, moved}) {
            SessionBroadcast decoded = SessionBroadcast.decode(forged);
            for (Client c : new Client[] {a, b}) {
                assertRefused(c, decoded, "fails authentication");
            }
        }
    }

    @Test
    void aBroadcastMovedToAnotherSessionOrNonceHoldsNoEntryForAnyMember() throws Exception {
        byte[] bytes = s.session().encode();
        int g = Scenario.GROUP.length();
        for (int at : new int[] {2 + g + 7, 2 + g + 9 + 5}) { // the session's last byte, a nonce byte
            byte[] forged = bytes.clone();
            forged[at] ^= 0x01;
            for (Client c : new Client[] {a, b}) {
                byte[] before = c.member.encode();
                assertFalse(c.member.receive(SessionBroadcast.decode(forged)).included());
                assertEquals(HexFormat.of().formatHex(before), HexFormat.of().formatHex(c.member.encode()));
            }
        }
    }

    @Test
    void aTamperedEntryIsRefusedByItsMemberAndLeavesTheOthersAlone() throws Exception {
        SessionBroadcast real = s.session();
        byte[] bytes = real.encode();
        int entry = SessionBroadcast.entrySize(1);
        int header = bytes.length - 2 * entry;
        byte[] tagA = PersonalSecret.tag(a.secret, Scenario.GROUP, real.session(), real.nonce());
        int entryOfA = Arrays.equals(Arrays.copyOfRange(bytes, header, header + 8), tagA) ? 0 : 1;
        bytes[header + entryOfA * entry + 8 + 3] ^= 0x40; // a byte of a's ciphertext
        SessionBroadcast forged = SessionBroadcast.decode(bytes);

        assertRefused(a, forged, "fails authentication");
        s.deliver(forged, b);
        assertArrayEquals(s.realKeys.get(real.session()), b.member.key(real.session()).orElseThrow());
    }

    @Test
    void aBroadcastOfAnotherGroupIsRefused() throws Exception {
        Scenario other = new Scenario(4, 42);
        GroupManager sameMaster = GroupManager.decode(rename(s.gm.encode(), "kitchen-1/humidity"));
        SessionBroadcast elsewhere = sameMaster.newSession();

        assertRefused(a, elsewhere, "refused a broadcast of group kitchen-1/humidity");
        assertTrue(other.broadcasts.isEmpty());
    }

    @Test
    void aBroadcastForgedWithoutTheManagersSecretsGivesNothing() throws Exception {
        // an insider (b) or anyone runs a manager of its own under the same group name
        GroupManager forger = GroupManager.create(Scenario.GROUP, new byte[32], 4, Scenario.seeded(43));
        forger.addMember(b.cti);
        for (int i = 0; i < 2; i++) {
            forger.newSession();
        }
        SessionBroadcast forged = forger.newSession();  // session 3, like the next real one
        byte[] before = a.member.encode();

        GroupMember.Reception got = a.member.receive(forged);

        assertFalse(got.included(), "no entry opens for a");
        assertEquals(HexFormat.of().formatHex(before), HexFormat.of().formatHex(a.member.encode()));
    }

    @Test
    void malformedBytesAreRefusedBeforeAnyMemberSeesThem() throws Exception {
        byte[] bytes = s.session().encode();
        assertThrows(GroupKeyFormatException.class, () -> SessionBroadcast.decode(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(GroupKeyFormatException.class, () -> SessionBroadcast.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] version = bytes.clone();
        version[0] = 2;
        assertThrows(GroupKeyFormatException.class, () -> SessionBroadcast.decode(version));
        assertThrows(GroupKeyFormatException.class, () -> SessionBroadcast.decode(new byte[SessionBroadcast.MAX_SIZE + 1]));
        assertThrows(GroupKeyFormatException.class, () -> SessionBroadcast.decode(new byte[0]));
        byte[] epochs = bytes.clone();
        epochs[2 + Scenario.GROUP.length() + 8 + 1 + 13] = 9; // K > min(w, r)
        assertThrows(GroupKeyFormatException.class, () -> SessionBroadcast.decode(epochs));
    }

    private static void assertRefused(Client c, SessionBroadcast forged, String logged) {
        byte[] before = c.member.encode();
        try (LogLines log = new LogLines()) {
            assertThrows(AuthenticationException.class, () -> c.member.receive(forged));
            assertEquals(1, log.count(logged), log.all().toString());
        }
        assertEquals(HexFormat.of().formatHex(before), HexFormat.of().formatHex(c.member.encode()), "state unchanged");
    }

    /** The same manager state under another group name. */
    private static byte[] rename(byte[] state, String group) {
        int g = state[1] & 0xFF;
        byte[] out = new byte[state.length - g + group.length()];
        out[0] = state[0];
        out[1] = (byte) group.length();
        System.arraycopy(group.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, 2, group.length());
        System.arraycopy(state, 2 + g, out, 2 + group.length(), state.length - 2 - g);
        return out;
    }
}
