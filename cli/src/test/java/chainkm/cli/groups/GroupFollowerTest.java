package chainkm.cli.groups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.GroupManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's follower without a network: what it reports, what it refuses, what it keeps. */
class GroupFollowerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String G = "lamp-1/light";

    @TempDir
    Path dir;

    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
    private final Map<Integer, byte[]> genesis = Map.of(1, gateway.publicKey());
    private final List<String> events = new ArrayList<>();
    private final GroupFollower.Listener listener = new GroupFollower.Listener() {
        @Override
        public void session(String group, long session, long epoch, boolean healed) {
            events.add(session + "/" + epoch + (healed ? "/healed" : ""));
        }

        @Override
        public void refused(String why) {
            events.add("refused");
        }
    };

    private GroupManager manager(byte[] cti) throws Exception {
        byte[] master = new byte[32];
        RANDOM.nextBytes(master);
        GroupManager m = GroupManager.create(G, master, 4);
        m.addMember(cti);
        return m;
    }

    private byte[] next(GroupManager m, Ed25519.KeyPair key) {
        return GroupBroadcastEnvelope.sign(1, m.newSession(), key).encode();
    }

    @Test
    void itReportsEachNewSessionHealsDroppedOnesRefusesForgeriesAndKeepsItsState() throws Exception {
        byte[] cti = new byte[16];
        cti[0] = 7;
        GroupManager m = manager(cti);
        Path state = dir.resolve("groups/member");
        GroupFollower f = GroupFollower.create(G, m.personalSecret(cti), genesis, state, listener);
        f.dropSessions(j -> j == 2);
        assertEquals(List.of(1L), f.onEnvelope(next(m, gateway)));
        assertEquals(List.of(), f.onEnvelope(next(m, gateway)), "session 2 dropped");
        m.addMember(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        m.revoke(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(List.of(2L, 3L), f.onEnvelope(next(m, gateway)), "session 2 healed from 3");
        assertEquals(List.of("1/1", "2/1/healed", "3/3"), events, "session 3 starts an epoch (a removal)");

        Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
        assertEquals(List.of(), f.onEnvelope(next(m, mallory)));
        assertEquals("refused", events.get(events.size() - 1));
        assertEquals(3, f.latestSession());
        assertArrayEquals(m.key(3).orElseThrow(), f.key(3).orElseThrow());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        GroupFollower again = GroupFollower.create(G, m.personalSecret(cti), genesis, state, listener);
        assertArrayEquals(m.key(2).orElseThrow(), again.key(2).orElseThrow(), "its keys are kept");
        assertThrows(UnsupportedOperationException.class, () -> again.onObject(new byte[1]));
        assertTrue(again.latestSession() == 3);
    }
}
