package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.RequestInfo;

/** The committed state on disk: identities and members survive a restart bit for bit; an older format is refused clearly. */
class LedgerStateTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path dir;

    @Test
    void identitiesInEveryStateSurviveARestartWithTheSameAppHash() throws Exception {
        LedgerFixture ledger = new LedgerFixture(dir, 2);
        TestDevice enrolled = ledger.enrolled(1);
        TestDevice active = ledger.enrolled(2);
        Ed25519.KeyPair activeKey = Ed25519.KeyPair.generate(RANDOM);
        ledger.commit(active.activate(activeKey, 1, ledger.key(1)));
        TestDevice member = ledger.enrolled(1);
        ledger.commit(ledger.join(member, 5, 1).encode());
        ledger.commit(ledger.join(active, 6, 2).encode());
        TestDevice left = ledger.enrolled(2);
        ledger.commit(ledger.join(left, 7, 2).encode());
        ledger.commit(left.leave(ledger.member(7), 2, ledger.key(2)).encode());
        TestDevice reenrolled = new TestDevice(left.name);
        ledger.commit(reenrolled.enroll(1, ledger.key(1)));

        byte[] encoded = ledger.app.readCommitted(LedgerState::encode);
        assertArrayEquals(encoded, LedgerState.decode(encoded).encode(), "encode, decode, encode");
        LedgerApp restarted = new LedgerApp(new StateStore(dir));
        assertArrayEquals(encoded, restarted.readCommitted(LedgerState::encode));
        assertEquals(ledger.app.info(RequestInfo.getDefaultInstance()), restarted.info(RequestInfo.getDefaultInstance()));
        TreeMap<String, DeviceIdentity> before = ledger.app.readCommitted(s -> new TreeMap<>(s.identities()));
        TreeMap<String, DeviceIdentity> after = restarted.readCommitted(s -> new TreeMap<>(s.identities()));
        assertEquals(before, after);
        assertEquals(4, (int) restarted.readCommitted(s -> s.identities().size()));
        assertEquals(enrolled.name, restarted.readCommitted(s -> s.identityByKey(enrolled.enrollmentKey.publicKey()))
                .orElseThrow().name());
        assertEquals(DeviceIdentity.State.ACTIVE, restarted.readCommitted(s -> s.identityByKey(activeKey.publicKey()))
                .orElseThrow().state());
        assertTrue(restarted.readCommitted(s -> s.identityByKey(left.enrollmentKey.publicKey())).isEmpty(),
                "the key of the name's revoked enrollment maps to nothing");
        assertEquals(left.name, restarted.readCommitted(s -> s.keyOwner(left.enrollmentKey.publicKey())).orElseThrow(),
                "but stays used");
        assertEquals(member.name, restarted.readCommitted(s -> s.member(5)).orElseThrow().identity());
        boolean used = restarted.readCommitted(s -> s.commitmentUsed(left.name, left.commitment));
        boolean usedByAnother = restarted.readCommitted(s -> s.commitmentUsed(member.name, left.commitment));
        assertTrue(used);
        assertTrue(!usedByAnother, "scoped to the identity");
    }

    @Test
    void aStateFileOfTheFormatBeforeDeviceIdentitiesIsRefusedWithAReason() throws Exception {
        ByteBuffer body = ByteBuffer.allocate(8 + 8).putInt(0x434B4D4C).putInt(2).putLong(42);
        byte[] bytes = ByteBuffer.allocate(body.capacity() + Sha256.SIZE).put(body.array()).put(Sha256.hash(body.array()))
                .array();
        StateStore store = new StateStore(dir);
        Files.write(store.file(), bytes);
        IOException e = assertThrows(IOException.class, store::load);
        assertTrue(e.getMessage().contains("format 2 predates device identities"), e.getMessage());
        assertTrue(e.getMessage().contains("start a new chain"), e.getMessage());
    }
}
