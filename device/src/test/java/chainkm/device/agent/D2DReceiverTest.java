package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.keys.DeviceKeys;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.rekey.JoinBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's decisions on hand-built packets: a device (node 12, set 3) with a pairwise node
 * key shared with node 40 and the pairwise set key of sets 3 and 7, where alice (node 70) and
 * mallory (node 71) are members of set 7: both hold that set key, only alice holds alice's
 * identity key.
 */
class D2DReceiverTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ME = 12;
    private static final int PEER = 40;
    private static final int ALICE = 70;
    private static final int MALLORY = 71;
    private static final KeyId PNK = KeyId.pairwiseNodeKey(ME, PEER);
    private static final KeyId PSK = KeyId.pairwiseSetKey(3, 7);
    private static final long SEQ = 5;

    @TempDir
    Path state;

    private final byte[] pnk = random16();
    private final byte[] psk = random16();
    private final Ed25519.KeyPair alice = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
    private final Map<Integer, byte[]> ledger = new HashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicInteger catchUps = new AtomicInteger();
    private final TestClock clock = new TestClock();
    private DeviceKeys keys;

    private static byte[] random16() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    @BeforeEach
    void joined() {
        keys = new DeviceKeys(new InMemoryKeyStore(), Map.of(1, Ed25519.KeyPair.generate(RANDOM).publicKey()),
                Duration.ofSeconds(30), clock);
        keys.install(new JoinBundle(1, ME, 3, SEQ, new byte[32], List.of(
                new KeyMaterial(KeyId.nodeKey(ME), random16(), SEQ), new KeyMaterial(KeyId.setKey(3), random16(), SEQ),
                new KeyMaterial(PNK, pnk, SEQ), new KeyMaterial(PSK, psk, SEQ))));
        ledger.put(ALICE, alice.publicKey());
        ledger.put(MALLORY, mallory.publicKey());
    }

    private D2DReceiver receiver() throws IOException {
        SenderIdentities senders = new SenderIdentities(node -> {
            lookups.incrementAndGet();
            return Optional.ofNullable(ledger.get(node));
        }, clock);
        return new D2DReceiver(keys, senders, ReplayWindows.open(state), () -> {
            catchUps.incrementAndGet();
            return 0;
        });
    }

    private byte[] fromAlice(long counter, String text) {
        return D2DMessage.seal(ALICE, ME, PSK, SEQ, counter, psk, text.getBytes(StandardCharsets.UTF_8), alice).encode();
    }

    private static D2DReceiver.Outcome receive(D2DReceiver r, byte[] packet) {
        return r.receive(packet, packet.length);
    }

    private static void assertAccepted(D2DReceiver.Outcome o, String text) {
        assertTrue(o.accepted(), () -> "refused: " + o.refusal() + " " + o.reason());
        assertEquals(text, new String(o.payload(), StandardCharsets.UTF_8));
    }

    private static void assertRefused(D2DRefusals.Kind kind, D2DReceiver.Outcome o) {
        assertFalse(o.accepted(), "accepted");
        assertEquals(kind, o.refusal(), o.reason());
    }

    @Test
    void aSignedMessageFromASetPartnerIsAcceptedOnceAndItsReplayRefused() throws Exception {
        D2DReceiver r = receiver();
        byte[] m = fromAlice(1, "hello");
        assertAccepted(receive(r, m), "hello");
        assertEquals(ALICE, receive(r, fromAlice(2, "again")).sender());
        assertRefused(D2DRefusals.Kind.REPLAYED, receive(r, m));
    }

    @Test
    void aPairwiseNodeKeyMessageNeedsNoSignatureNorLookUp() throws Exception {
        D2DReceiver r = receiver();
        byte[] m = D2DMessage.seal(PEER, ME, PNK, SEQ, 9, pnk, "hi".getBytes()).encode();
        assertAccepted(receive(r, m), "hi");
        assertEquals(0, lookups.get());
        assertRefused(D2DRefusals.Kind.REPLAYED, receive(r, m));
    }

    @Test
    void aSetMateClaimingAnotherSenderIsRefusedAndItsForgedCounterMovesNoWindow() throws Exception {
        D2DReceiver r = receiver();
        assertAccepted(receive(r, fromAlice(10, "first")), "first");
        // mallory holds the set key and signs with its own identity key, claiming to be alice, counter 2^62
        byte[] forged = D2DMessage.seal(ALICE, ME, PSK, SEQ, 1L << 62, psk, "OPEN DOOR".getBytes(), mallory).encode();
        assertRefused(D2DRefusals.Kind.BAD_SIGNATURE, receive(r, forged));
        // alice's window is where it was: her next real message is accepted
        assertAccepted(receive(r, fromAlice(11, "next")), "next");
        // and mallory under its own name moves only its own window
        byte[] own = D2DMessage.seal(MALLORY, ME, PSK, SEQ, 1L << 62, psk, "mine".getBytes(), mallory).encode();
        assertAccepted(receive(r, own), "mine");
        assertAccepted(receive(r, fromAlice(12, "still")), "still");
    }

    @Test
    void aRecordedMessageIsRefusedAfterARestartAndTheSenderGoesOnAfterAtMostKMessages() throws Exception {
        D2DReceiver before = receiver();
        byte[] recorded = fromAlice(100, "OPEN DOOR");
        assertAccepted(receive(before, recorded), "OPEN DOOR");
        // kill -9: nothing but the file survives
        D2DReceiver after = receiver();
        assertRefused(D2DRefusals.Kind.REPLAYED, receive(after, recorded));
        assertRefused(D2DRefusals.Kind.REPLAYED, receive(after, fromAlice(50, "older")));
        int refusedFresh = 0;
        long counter = 101;
        while (!receive(after, fromAlice(counter, "fresh " + counter)).accepted()) {
            refusedFresh++;
            counter++;
        }
        assertTrue(refusedFresh <= ReplayWindows.K, refusedFresh + " fresh messages refused after the restart");
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve(ReplayWindows.FILE))));
    }

    @Test
    void theMarksAreWrittenAboutOncePerKMessages() throws Exception {
        D2DReceiver r = receiver();
        ReplayWindows windows = ReplayWindows.open(state.resolve("unused")); // not this one: count via a fresh store
        assertEquals(0, windows.writes());
        ReplayWindows replay = ReplayWindows.open(state);
        int messages = 1000;
        for (long c = 1; c <= messages; c++) {
            assertTrue(replay.accept(PSK, SEQ, ALICE, c));
        }
        assertTrue(replay.writes() <= messages / ReplayWindows.K + 1, replay.writes() + " writes for " + messages);
        assertTrue(replay.writes() >= messages / (ReplayWindows.K + 1), "the mark must follow the counter");
        // a sender that also talks to others (its counter grows by 7 per message here) costs no more writes
        for (long c = 2000; c < 2000 + 7 * messages; c += 7) {
            assertTrue(replay.accept(PSK, SEQ, PEER, c));
        }
        assertTrue(replay.writes() <= 2 * (messages / ReplayWindows.K + 2), replay.writes() + " writes");
        assertAccepted(receive(r, fromAlice(1, "unrelated")), "unrelated");
    }

    @Test
    void aDamagedMarksFileStopsTheStartRatherThanForgetTheMarks() throws Exception {
        D2DReceiver r = receiver();
        assertAccepted(receive(r, fromAlice(1, "x")), "x");
        Path file = state.resolve(ReplayWindows.FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[6] ^= 1;
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> ReplayWindows.open(state));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void anUnknownSenderIsLookedUpOnceAndForgedSendersMakeNoLookUpStorm() throws Exception {
        D2DReceiver r = receiver();
        byte[] ghost = D2DMessage.seal(99, ME, PSK, SEQ, 1, psk, "boo".getBytes(), mallory).encode();
        for (int i = 0; i < 100; i++) {
            assertRefused(D2DRefusals.Kind.UNKNOWN_SENDER, receive(r, ghost));
        }
        assertEquals(1, lookups.get(), "an unknown node is negatively cached");
        for (int node = 1000; node < 2000; node++) {
            byte[] forged = D2DMessage.seal(node, ME, PSK, SEQ, 1, psk, "x".getBytes(), mallory).encode();
            assertRefused(D2DRefusals.Kind.UNKNOWN_SENDER, receive(r, forged));
        }
        assertTrue(lookups.get() <= SenderIdentities.BURST + 1, lookups.get() + " look-ups for 1000 forged senders");
        // the budget refills with time, and a real sender is served then
        clock.advance(60_000);
        assertAccepted(receive(r, fromAlice(1, "real")), "real");
        assertEquals(0, catchUps.get());
    }

    @Test
    void nothingUnauthenticatedTriggersACatchUp() throws Exception {
        D2DReceiver r = receiver();
        // under a node key, at a newer seq: cannot be authenticated, so no catch-up
        byte[] newerUnsigned = D2DMessage.seal(PEER, ME, PNK, SEQ + 3, 1, random16(), "x".getBytes()).encode();
        assertRefused(D2DRefusals.Kind.BAD_TAG, receive(r, newerUnsigned));
        // signed under the set key at a newer seq, but not by the claimed sender
        byte[] newerForged = D2DMessage.seal(ALICE, ME, PSK, SEQ + 3, 1, random16(), "x".getBytes(), mallory).encode();
        assertRefused(D2DRefusals.Kind.BAD_SIGNATURE, receive(r, newerForged));
        assertEquals(0, catchUps.get());
        // really alice's, at a newer seq: this device is behind, and asks
        byte[] newerReal = D2DMessage.seal(ALICE, ME, PSK, SEQ + 3, 1, random16(), "x".getBytes(), alice).encode();
        assertRefused(D2DRefusals.Kind.BAD_TAG, receive(r, newerReal)); // the fake catch-up brings nothing
        assertEquals(1, catchUps.get());
    }

    @Test
    void otherRefusalsNameTheirKind() throws Exception {
        D2DReceiver r = receiver();
        byte[] v1 = fromAlice(1, "x");
        v1[0] = 1;
        assertRefused(D2DRefusals.Kind.OLD_VERSION, receive(r, v1));
        assertNull(receive(r, v1).payload());
        byte[] other = D2DMessage.seal(ALICE, 13, PSK, SEQ, 1, psk, "x".getBytes(), alice).encode();
        assertRefused(D2DRefusals.Kind.NOT_FOR_THIS_DEVICE, receive(r, other));
        byte[] notMine = D2DMessage.seal(ALICE, ME, KeyId.pairwiseSetKey(5, 7), SEQ, 1, psk, "x".getBytes(), alice).encode();
        assertRefused(D2DRefusals.Kind.NOT_ITS_KEY, receive(r, notMine));
        byte[] wrongKey = D2DMessage.seal(ALICE, ME, PSK, SEQ, 1, random16(), "x".getBytes(), alice).encode();
        assertRefused(D2DRefusals.Kind.BAD_TAG, receive(r, wrongKey));
        byte[] unknownLink = D2DMessage.seal(41, ME, KeyId.pairwiseNodeKey(ME, 41), SEQ, 1, pnk, "x".getBytes()).encode();
        assertRefused(D2DRefusals.Kind.NO_KEY, receive(r, unknownLink));
        assertAccepted(receive(r, fromAlice(1, "x")), "x"); // nothing above moved alice's window
    }
}
