package chainkm.gateway.keyserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.keyserver.MembershipLedger.Standing;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.groupkey.DeviceGroupGrant;
import chainkm.protocol.groupkey.DeviceMemberId;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.GroupMember;
import chainkm.protocol.groupkey.GroupTopics;
import chainkm.protocol.groupkey.PersonalSecret;
import chainkm.protocol.groupkey.SessionBroadcast;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key server's group sessions, on a fake ledger and a publisher that records: what opens a
 * session, what a member gets, and that a restart (also a crash between saving and publishing)
 * never issues a session number twice while members' secrets stay valid.
 */
class GroupSessionsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String G = "lamp-1/light";
    private static final long BATCH = GroupSessions.BATCH.toNanos();

    @TempDir
    Path home;

    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
    private final Map<Integer, byte[]> genesis = Map.of(1, gateway.publicKey());
    private final FakeLedger ledger = new FakeLedger();
    private final Published published = new Published();

    private static final class FakeLedger implements MembershipLedger {
        final Map<String, Standing> standing = new HashMap<>();
        int home = 1;

        @Override
        public Standing standing(String device, byte[] memberId) {
            return standing.getOrDefault(chainkm.protocol.crypto.Hex.encode(memberId), Standing.LIVE);
        }

        @Override
        public OptionalInt homeOf(String device) {
            return OptionalInt.of(home);
        }

        @Override
        public long height() {
            return 10;
        }
    }

    private static final class Published implements BroadcastPublisher {
        final List<String> topics = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();
        boolean fail;

        @Override
        public void publishRetained(String topic, byte[] message) {
            if (fail) {
                throw new UncheckedIOException(new IOException("broker away"));
            }
            topics.add(topic);
            messages.add(message);
        }

        SessionBroadcast last(Map<Integer, byte[]> genesis) throws Exception {
            return GroupBroadcastEnvelope.decode(messages.get(messages.size() - 1)).verify(genesis);
        }
    }

    private GroupSessions sessions(Duration interval) throws IOException {
        Path dir = home.resolve("groups");
        return new GroupSessions(1, gateway, new GroupSecretStore(dir), new GroupStateStore(dir), ledger, published, 4,
                interval);
    }

    private static byte[] cti() {
        byte[] c = new byte[16];
        RANDOM.nextBytes(c);
        return c;
    }

    private static String hex(byte[] b) {
        return chainkm.protocol.crypto.Hex.encode(b);
    }

    @Test
    void joinsOfOneBatchOpenOneSessionWhoseBroadcastIsSignedRetainedOnTheGroupTopic() throws Exception {
        GroupSessions s = sessions(Duration.ZERO);
        byte[] a = cti();
        byte[] b = cti();
        MemberSecret sa = s.personalSecret(G, a);
        MemberSecret sb = s.personalSecret(G, b);
        assertEquals(1, sa.num(), "a new member holds keys from the next session");
        assertEquals(1, sb.num());
        s.tick(System.nanoTime());
        assertTrue(published.messages.isEmpty(), "the batch waits");
        s.tick(System.nanoTime() + BATCH);
        assertEquals(List.of(GroupTopics.topic(G)), published.topics, "one session for both joins");
        SessionBroadcast b1 = published.last(genesis);
        assertEquals(1, b1.session());
        assertEquals(2, b1.memberCount());
        GroupMember ma = GroupMember.create(G, sa.key());
        assertTrue(ma.receive(b1).included());
        // asking again: the same secret, the current session, no new session
        MemberSecret again = s.personalSecret(G, a);
        assertArrayEquals(sa.key(), again.key());
        assertEquals(1, again.num());
        s.tick(System.nanoTime() + 10 * BATCH);
        assertEquals(1, published.messages.size());
        // the personal secret is the key server's formula on the group's master secret
        byte[] master = new GroupSecretStore(home.resolve("groups")).masterSecret(G);
        assertArrayEquals(PersonalSecret.derive(master, a), sa.key());
    }

    @Test
    void aDeletedAndAnExpiredTokenLeaveAtTheNextCommitInOneSessionAndTheOthersStay() throws Exception {
        GroupSessions s = sessions(Duration.ZERO);
        byte[] a = cti();
        byte[] b = cti();
        byte[] c = cti();
        GroupMember ma = GroupMember.create(G, s.personalSecret(G, a).key());
        GroupMember mb = GroupMember.create(G, s.personalSecret(G, b).key());
        GroupMember mc = GroupMember.create(G, s.personalSecret(G, c).key());
        s.tick(System.nanoTime() + BATCH);
        for (GroupMember m : List.of(ma, mb, mc)) {
            m.receive(published.last(genesis));
        }
        ledger.standing.put(hex(a), Standing.REVOKED);
        ledger.standing.put(hex(b), Standing.EXPIRED);
        s.committed();
        s.tick(System.nanoTime() + BATCH);
        SessionBroadcast b2 = published.last(genesis);
        assertEquals(2, b2.session());
        assertEquals(1, b2.memberCount());
        assertFalse(ma.receive(b2).included(), "revoked");
        assertFalse(mb.receive(b2).included(), "expired");
        assertTrue(mc.receive(b2).included());
        assertTrue(ma.key(2).isEmpty());
        assertTrue(mc.key(2).isPresent());
        // nothing else changes: no further session
        s.committed();
        s.tick(System.nanoTime() + 10 * BATCH);
        assertEquals(2, published.messages.size());
    }

    @Test
    void intervalSessionsComeOnlyToGroupsWithMembers() throws Exception {
        GroupSessions s = sessions(Duration.ofSeconds(60));
        s.personalSecret(G, cti());
        long t0 = System.nanoTime();
        s.tick(t0 + BATCH);
        assertEquals(1, published.messages.size());
        s.tick(t0 + BATCH + Duration.ofSeconds(30).toNanos());
        assertEquals(1, published.messages.size());
        s.tick(t0 + BATCH + Duration.ofSeconds(61).toNanos());
        assertEquals(2, published.messages.size(), "an interval session");
        assertEquals(2, published.last(genesis).session());
    }

    @Test
    void theDeviceIsAMemberOfItsOwnGroupsOnlyAtItsHomeAndLeavesWhenItLeaves() throws Exception {
        GroupSessions s = sessions(Duration.ZERO);
        DeviceGroupGrant grant = s.deviceGrant("lamp-1", "/light");
        assertEquals(G, grant.group());
        assertEquals(1, grant.session());
        assertEquals(4, grant.window());
        GroupMember device = GroupMember.create(G, grant.secret());
        s.tick(System.nanoTime() + BATCH);
        assertTrue(device.receive(published.last(genesis)).included());
        ledger.standing.put(hex(DeviceMemberId.of("lamp-1")), Standing.REVOKED);
        s.committed();
        s.tick(System.nanoTime() + BATCH);
        assertFalse(device.receive(published.last(genesis)).included(), "a device that left is removed");
        ledger.home = 2;
        assertThrows(GroupSessions.NotHomeException.class, () -> s.deviceGrant("lamp-1", "/light"));
    }

    @Test
    void aRestartOpensASessionAtOnceWithAHigherNumberAndMembersKeepTheirSecrets() throws Exception {
        GroupSessions s = sessions(Duration.ZERO);
        byte[] a = cti();
        GroupMember ma = GroupMember.create(G, s.personalSecret(G, a).key());
        s.tick(System.nanoTime() + BATCH);
        ma.receive(published.last(genesis));
        s.close();

        GroupSessions restarted = sessions(Duration.ZERO);
        restarted.tick(System.nanoTime());
        SessionBroadcast b = published.last(genesis);
        assertEquals(2, b.session(), "a session at start, after the saved one");
        assertTrue(ma.receive(b).included(), "the member's secret holds across the restart");
        assertEquals(1, restarted.personalSecret(G, a).num() - 1, "num is the current session");
        Path dir = home.resolve("groups");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aCrashBetweenSavingAndPublishingNeverReusesASessionNumber() throws Exception {
        GroupSessions s = sessions(Duration.ZERO);
        byte[] a = cti();
        GroupMember ma = GroupMember.create(G, s.personalSecret(G, a).key());
        published.fail = true;                       // session 1 is saved, its broadcast lost
        s.tick(System.nanoTime() + BATCH);
        published.fail = false;
        assertTrue(published.messages.isEmpty());
        s.close();                                   // the gateway dies here

        GroupSessions restarted = sessions(Duration.ZERO);
        restarted.tick(System.nanoTime());
        SessionBroadcast b = published.last(genesis);
        assertEquals(2, b.session(), "session 1 was saved before it was published: it is not issued again");
        GroupMember.Reception r = ma.receive(b);
        assertTrue(r.included());
        assertEquals(List.of(1L, 2L), r.newSessions(), "the lost session heals from the next");
    }

    @Test
    void aStateThatCannotBeSavedOpensNoSessionAndChangesNothing() throws Exception {
        Path dir = home.resolve("groups");
        boolean[] crash = {false};
        GroupStateStore store = new GroupStateStore(dir, () -> {
            if (crash[0]) {
                throw new UncheckedIOException(new IOException("disk full"));
            }
        });
        GroupSessions s = new GroupSessions(1, gateway, new GroupSecretStore(dir), store, ledger, published, 4,
                Duration.ZERO);
        s.personalSecret(G, cti());
        s.tick(System.nanoTime() + BATCH);
        assertEquals(1, published.messages.size());
        crash[0] = true;
        assertThrows(UncheckedIOException.class, () -> s.personalSecret(G, cti()));
        assertEquals(1L, s.session(G).orElseThrow());
        crash[0] = false;
        // the state on disk is the one before: a restart holds one member, at session 1
        GroupSessions restarted = sessions(Duration.ZERO);
        restarted.tick(System.nanoTime());
        assertEquals(1, published.last(genesis).memberCount());
        assertEquals(2, published.last(genesis).session());
    }
}
