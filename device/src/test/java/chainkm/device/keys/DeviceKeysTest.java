package chainkm.device.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The device's key logic on hand-built messages: order, authenticity, atomicity, grace periods. */
class DeviceKeysTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NODE = 12;
    private static final int PEER = 40;
    private static final int SET = 3;
    private static final int OTHER_SET = 7;
    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] nodeKey = random16();
    private final byte[] setKey = random16();
    private final byte[] pnk = random16();
    private final byte[] psk = random16();
    private final MutableClock clock = new MutableClock();
    private DeviceKeys keys;

    private static byte[] random16() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        long millis = 1_000_000;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void joined() {
        keys = new DeviceKeys(new InMemoryKeyStore(), Map.of(1, gateway.publicKey()), Duration.ofSeconds(30), clock);
        keys.install(new JoinBundle(1, NODE, SET, 5, new byte[32], List.of(
                new KeyMaterial(KeyId.nodeKey(NODE), nodeKey, 5), new KeyMaterial(KeyId.setKey(SET), setKey, 5),
                new KeyMaterial(KeyId.pairwiseNodeKey(NODE, PEER), pnk, 5),
                new KeyMaterial(KeyId.pairwiseSetKey(SET, OTHER_SET), psk, 5))));
    }

    private byte[] setMessage(long seq, List<KeyUpdate> updates, byte[] kek, Ed25519.KeyPair signer, byte[] refresh) {
        return RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 1, seq, SET, Operation.JOIN, 99, OTHER_SET,
                refresh, List.of()), updates, kek, signer).encode();
    }

    private byte[] nodeMessage(long seq, List<KeyUpdate> updates) {
        return RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 1, seq, NODE, Operation.LEAVE, 77, SET,
                random16(), List.of()), updates, nodeKey, gateway).encode();
    }

    private byte[] value(KeyId id) {
        return keys.current(id).orElseThrow().key();
    }

    @Test
    void aJoinRollForwardKeepsThePreviousValueForTheGracePeriodOnly() {
        byte[] r = random16();
        KeyId id = KeyId.pairwiseSetKey(SET, OTHER_SET);
        DeviceKeys.Result res = keys.apply(setMessage(6, List.of(KeyUpdate.roll(id)), setKey, gateway, r));
        assertEquals(DeviceKeys.Outcome.APPLIED, res.outcome(), res.reason());
        assertArrayEquals(KeyUpdate.rolled(id, psk, r), value(id));
        assertEquals(6, keys.seq());
        // a message in flight under the old value (seq 5) is still accepted for a while
        assertArrayEquals(psk, keys.atSeq(id, 5).orElseThrow().key());
        clock.millis += 31_000;
        assertTrue(keys.atSeq(id, 5).isEmpty(), "the previous value outlived its grace period");
        assertTrue(keys.atSeq(id, 6).isPresent());
    }

    @Test
    void aKeyALeaverKnewIsReplacedWithoutGrace() {
        byte[] fresh = random16();
        KeyId sk = KeyId.setKey(SET);
        KeyId gone = KeyId.pairwiseNodeKey(NODE, PEER);
        assertEquals(DeviceKeys.Outcome.APPLIED, keys.apply(nodeMessage(6, List.of(KeyUpdate.put(sk, fresh, false),
                KeyUpdate.delete(gone)))).outcome());
        assertArrayEquals(fresh, value(sk));
        assertTrue(keys.atSeq(sk, 5).isEmpty(), "the leaver's set key is accepted after its leave");
        assertTrue(keys.current(gone).isEmpty());
        assertTrue(keys.atSeq(gone, 5).isEmpty(), "a deleted link's key is accepted after the leave");
    }

    @Test
    void aRenewalNoticeSendsTheDeviceToItsSessionAndTheRenewalReplacesEveryKey() {
        // the notice on MQTT: RENEW, no update, this device exempt: report a gap so the follower fetches over DTLS
        byte[] notice = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 1, 6, SET, Operation.RENEW, 0, SET,
                random16(), List.of(NODE, PEER)), List.of(), setKey, gateway).encode();
        DeviceKeys.Result gap = keys.apply(notice);
        assertEquals(DeviceKeys.Outcome.GAP, gap.outcome(), gap.reason());
        assertEquals(5, keys.seq(), "the notice changes nothing");
        // a notice of another operation that exempts the device is still not for it
        byte[] leaveExempt = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 1, 6, SET, Operation.LEAVE, 9,
                SET, random16(), List.of(NODE)), List.of(), setKey, gateway).encode();
        assertEquals(DeviceKeys.Outcome.NOT_MINE, keys.apply(leaveExempt).outcome());
        // the renewal itself (what /catchup returns), under the old node key
        byte[] nk2 = random16();
        byte[] sk2 = random16();
        byte[] pnk2 = random16();
        byte[] psk2 = random16();
        byte[] renewal = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 1, 6, NODE, Operation.RENEW, 0,
                SET, random16(), List.of()), List.of(KeyUpdate.put(KeyId.nodeKey(NODE), nk2, false),
                KeyUpdate.put(KeyId.setKey(SET), sk2, false),
                KeyUpdate.put(KeyId.pairwiseNodeKey(NODE, PEER), pnk2, true),
                KeyUpdate.put(KeyId.pairwiseSetKey(SET, OTHER_SET), psk2, true)), nodeKey, gateway).encode();
        assertEquals(DeviceKeys.Outcome.APPLIED, keys.apply(renewal).outcome());
        assertArrayEquals(nk2, value(KeyId.nodeKey(NODE)));
        assertArrayEquals(sk2, value(KeyId.setKey(SET)));
        assertArrayEquals(pnk2, value(KeyId.pairwiseNodeKey(NODE, PEER)));
        assertArrayEquals(psk2, value(KeyId.pairwiseSetKey(SET, OTHER_SET)));
        assertTrue(keys.atSeq(KeyId.nodeKey(NODE), 5).isEmpty(), "the old node key is gone at once");
        assertTrue(keys.atSeq(KeyId.setKey(SET), 5).isEmpty(), "the old set key is gone at once");
        assertTrue(keys.atSeq(KeyId.pairwiseNodeKey(NODE, PEER), 5).isPresent(), "D2D in flight: grace");
        clock.millis += 31_000;
        assertTrue(keys.atSeq(KeyId.pairwiseNodeKey(NODE, PEER), 5).isEmpty(), "the old data key outlived its grace");
        // a later message under the old node key (an attacker who captured it) opens nothing
        byte[] forged = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 1, 7, NODE, Operation.JOIN, 5,
                SET, random16(), List.of()), List.of(KeyUpdate.put(KeyId.setKey(SET), random16(), false)), nodeKey, gateway)
                .encode();
        assertEquals(DeviceKeys.Outcome.REFUSED, keys.apply(forged).outcome());
        assertArrayEquals(sk2, value(KeyId.setKey(SET)));
    }

    @Test
    void messagesApplyInOrderOnceAndGapsAreReported() {
        byte[] m6 = setMessage(6, List.of(KeyUpdate.roll(KeyId.setKey(SET))), setKey, gateway, random16());
        byte[] m8 = setMessage(8, List.of(), setKey, gateway, random16());
        assertEquals(DeviceKeys.Outcome.GAP, keys.apply(m8).outcome());
        assertEquals(5, keys.seq());
        assertEquals(DeviceKeys.Outcome.APPLIED, keys.apply(m6).outcome());
        byte[] after = value(KeyId.setKey(SET));
        assertEquals(DeviceKeys.Outcome.DUPLICATE, keys.apply(m6).outcome(), "QoS 1 redelivers: idempotent");
        assertArrayEquals(after, value(KeyId.setKey(SET)));
        assertEquals(6, keys.seq());
    }

    @Test
    void forgedTamperedForeignAndUnopenableMessagesChangeNothing() {
        byte[] before = value(KeyId.pairwiseSetKey(SET, OTHER_SET));
        List<KeyUpdate> evil = List.of(KeyUpdate.put(KeyId.pairwiseSetKey(SET, OTHER_SET), random16(), false));
        // forged by a set member: right set key, wrong signer
        assertEquals(DeviceKeys.Outcome.REFUSED,
                keys.apply(setMessage(6, evil, setKey, Ed25519.KeyPair.generate(RANDOM), random16())).outcome());
        // tampered: one bit of a genuine message
        byte[] genuine = setMessage(6, evil, setKey, gateway, random16());
        for (int i : new int[] {10, genuine.length - 70, genuine.length - 1}) {
            byte[] t = genuine.clone();
            t[i] ^= 1;
            assertEquals(DeviceKeys.Outcome.REFUSED, keys.apply(t).outcome(), "byte " + i);
        }
        // signed by the gateway but sealed under a key the device does not have
        assertEquals(DeviceKeys.Outcome.REFUSED, keys.apply(setMessage(6, evil, random16(), gateway, random16())).outcome());
        // garbage and truncation
        assertEquals(DeviceKeys.Outcome.REFUSED, keys.apply("garbage".getBytes()).outcome());
        assertEquals(DeviceKeys.Outcome.REFUSED, keys.apply(java.util.Arrays.copyOf(genuine, 40)).outcome());
        // a ROLL of a key the device does not hold aborts the whole message: nothing of it applies
        assertEquals(DeviceKeys.Outcome.REFUSED, keys.apply(setMessage(6, List.of(
                KeyUpdate.put(KeyId.pairwiseSetKey(SET, OTHER_SET), random16(), false),
                KeyUpdate.roll(KeyId.pairwiseSetKey(SET, 99))), setKey, gateway, random16())).outcome());
        assertArrayEquals(before, value(KeyId.pairwiseSetKey(SET, OTHER_SET)));
        assertEquals(5, keys.seq());
        assertEquals(4, keys.keyCount());
    }

    @Test
    void aMoveWipesTheOldSetAndSubscribesToTheNewOne() {
        byte[] newSk = random16();
        keys.apply(nodeMessage(6, List.of(KeyUpdate.wipe(), KeyUpdate.set(OTHER_SET),
                KeyUpdate.put(KeyId.setKey(OTHER_SET), newSk, false))));
        assertEquals(OTHER_SET, keys.setId());
        assertFalse(keys.current(KeyId.setKey(SET)).isPresent());
        assertTrue(keys.current(KeyId.nodeKey(NODE)).isPresent(), "the node key survives a move");
        assertArrayEquals(newSk, value(KeyId.setKey(OTHER_SET)));
        assertEquals(2, keys.keyCount());
    }

    @Test
    void aFullStateMessageFromItsOwnGatewayBridgesAGap() {
        // what a gateway answers a catch-up that reaches below its archive
        byte[] sk = random16();
        byte[] newPnk = random16();
        byte[] newPsk = random16();
        List<KeyUpdate> full = List.of(KeyUpdate.wipe(), KeyUpdate.set(SET), KeyUpdate.put(KeyId.nodeKey(NODE), nodeKey, false),
                KeyUpdate.put(KeyId.setKey(SET), sk, false), KeyUpdate.put(KeyId.pairwiseNodeKey(NODE, PEER), newPnk, false),
                KeyUpdate.put(KeyId.pairwiseSetKey(SET, OTHER_SET), newPsk, false));
        assertEquals(DeviceKeys.Outcome.GAP, keys.apply(nodeMessage(9, List.of(KeyUpdate.put(KeyId.setKey(SET), sk, false))))
                .outcome(), "a partial message after a gap is still a gap");
        assertEquals(DeviceKeys.Outcome.GAP, keys.apply(setMessage(9, List.of(), setKey, gateway, random16())).outcome());
        assertEquals(5, keys.seq());

        DeviceKeys.Result r = keys.apply(nodeMessage(9, full));
        assertEquals(DeviceKeys.Outcome.APPLIED, r.outcome(), r.reason());
        assertEquals(9, keys.seq());
        assertEquals(1, keys.gatewayId());
        assertArrayEquals(sk, value(KeyId.setKey(SET)));
        assertArrayEquals(newPnk, value(KeyId.pairwiseNodeKey(NODE, PEER)));
        assertArrayEquals(newPsk, value(KeyId.pairwiseSetKey(SET, OTHER_SET)));
        assertEquals(DeviceKeys.Outcome.DUPLICATE, keys.apply(setMessage(7, List.of(), setKey, gateway, random16())).outcome());
    }
}
