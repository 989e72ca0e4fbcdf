package chainkm.device.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a device takes key changes only from the owner of its set, and a new owner only
 * with proof that the consortium removed the old one. The attacker is a gateway of the
 * device's bundle with every file of its own home: its signing key, and the attachment key it
 * handed the device when the device rejoined it. Every attack is refused, and the store (keys,
 * seq, owner, the removals the device knows) is exactly as before.
 */
class DeviceKeysOwnershipTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NODE = 12;
    private static final int PEER = 40;
    private static final int SET = 3;
    private static final int OTHER_SET = 7;
    /** The gateway the device joined through, owner of its set. */
    private static final int OWNER = 2;
    /** The owner's successor in a consortium of 1..4, and the gateway the device rejoined. */
    private static final int SUCCESSOR = 3;

    private final Map<Integer, Ed25519.KeyPair> gateways = new TreeMap<>();
    private final byte[] nodeKey = random16();
    private final byte[] setKey = random16();
    private final byte[] attachment = random16();
    private DeviceKeys keys;

    private static byte[] random16() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A device of a consortium of {@code size} gateways, joined through {@link #OWNER} at seq 5, rejoined at {@code rejoined}. */
    private void device(int size, int rejoined) {
        Map<Integer, byte[]> anchors = new TreeMap<>();
        for (int id = 1; id <= size; id++) {
            gateways.put(id, Ed25519.KeyPair.generate(RANDOM));
            anchors.put(id, gateways.get(id).publicKey());
        }
        keys = new DeviceKeys(new InMemoryKeyStore(), anchors, Duration.ofSeconds(30), new DeviceKeysTest.MutableClock());
        keys.install(new JoinBundle(OWNER, NODE, SET, 5, new byte[32], List.of(
                new KeyMaterial(KeyId.nodeKey(NODE), nodeKey, 5), new KeyMaterial(KeyId.setKey(SET), setKey, 5),
                new KeyMaterial(KeyId.pairwiseNodeKey(NODE, PEER), random16(), 5),
                new KeyMaterial(KeyId.pairwiseSetKey(SET, OTHER_SET), random16(), 5))));
        keys.attachment(rejoined, attachment);
    }

    /** A REMOVE_GATEWAY transaction for {@code removed}, submitted by the first signer and co-signed by the others. */
    private byte[] removal(int removed, int... signers) {
        byte[] nonce = random16();
        List<Cosignatures.Cosignature> cosigs = new ArrayList<>();
        for (int i = 1; i < signers.length; i++) {
            cosigs.add(GatewayRemoval.cosign(signers[i], gateways.get(signers[i]), removed, nonce));
        }
        return LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, removed, 0, new byte[ChangeRecord.HASH_SIZE], nonce),
                signers[0], Cosignatures.extension(cosigs), gateways.get(signers[0])).encode();
    }

    private static List<KeyUpdate> fullState(byte[] newNodeKey, byte[] newSetKey) {
        return List.of(KeyUpdate.wipe(), KeyUpdate.set(SET), KeyUpdate.put(KeyId.nodeKey(NODE), newNodeKey, false),
                KeyUpdate.put(KeyId.setKey(SET), newSetKey, false),
                KeyUpdate.put(KeyId.pairwiseSetKey(SET, OTHER_SET), random16(), false));
    }

    /** A NODE message marked as an adoption (REMOVE_GATEWAY of {@code removed}), signed as {@code signer}. */
    private byte[] adoption(int signer, long seq, int removed, byte[] kek, List<KeyUpdate> updates, List<byte[]> proofs) {
        return RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, signer, seq, NODE,
                Operation.REMOVE_GATEWAY, removed, signer, random16(), List.of(), proofs), updates, kek,
                gateways.get(signer)).encode();
    }

    private byte[] setMessage(int signer, long seq, byte[] kek, List<KeyUpdate> updates) {
        return RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, signer, seq, SET, Operation.JOIN, 99,
                OTHER_SET, random16(), List.of()), updates, kek, gateways.get(signer)).encode();
    }

    /** What the store holds, key bytes included, to compare before and after an attack. */
    private String snapshot() {
        StringBuilder b = new StringBuilder("seq " + keys.seq() + " owner " + keys.gatewayId() + " set " + keys.setId()
                + " removed " + keys.removedGateways());
        for (KeyId id : keys.keyIds()) {
            b.append(' ').append(id).append('=').append(java.util.HexFormat.of().formatHex(keys.current(id).orElseThrow().key()));
        }
        return b.toString();
    }

    private void assertRefused(byte[] message, String reason) {
        String before = snapshot();
        DeviceKeys.Result r = keys.apply(message);
        assertEquals(DeviceKeys.Outcome.REFUSED, r.outcome(), r.reason());
        assertTrue(r.reason().contains(reason), r.reason());
        assertEquals(before, snapshot(), "a refused message changed the store");
    }

    @Test
    void aRekeyFromAGatewayThatDoesNotOwnTheSetIsRefused() {
        device(4, SUCCESSOR);
        List<KeyUpdate> evil = List.of(KeyUpdate.put(KeyId.setKey(SET), random16(), false));
        // validly signed by a gateway of the bundle, even sealed under the right key (as if it knew it)
        assertRefused(setMessage(SUCCESSOR, 6, setKey, evil), "gateway 2 owns this device's set");
        assertRefused(setMessage(1, 6, setKey, evil), "gateway 2 owns this device's set");
        assertRefused(RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 4, 6, NODE, Operation.LEAVE, 77,
                SET, random16(), List.of()), evil, nodeKey, gateways.get(4)).encode(), "signed by gateway 4");
        // a full-state catch-up that skips seqs, from the gateway the device is attached to, under the key it handed out
        assertRefused(RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, SUCCESSOR, 40, NODE,
                Operation.JOIN, 77, SET, random16(), List.of()), fullState(attachment, random16()), attachment,
                gateways.get(SUCCESSOR)).encode(), "gateway 2 owns this device's set");

        // the owner's own messages still apply, relayed by whoever: the signer counts, not the publisher
        DeviceKeys.Result ok = keys.apply(setMessage(OWNER, 6, setKey, List.of(KeyUpdate.roll(KeyId.setKey(SET)))));
        assertEquals(DeviceKeys.Outcome.APPLIED, ok.outcome(), ok.reason());
        assertEquals(6, keys.seq());
    }

    @Test
    void aForgedAdoptionByTheGatewayTheDeviceRejoinedIsRefused() {
        device(4, SUCCESSOR);
        List<KeyUpdate> full = fullState(attachment, random16());
        // no proof at all: what a rejoined gateway could do before issue 11
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, full, List.of()), "gateway 2 owns this device's set");
        // its own signature only, or with the removed gateway's co-signature (which never counts)
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, full, List.of(removal(OWNER, SUCCESSOR))),
                "signed by 1 of the 3");
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, full, List.of(removal(OWNER, SUCCESSOR, OWNER))),
                "signed by 1 of the 3");
        // co-signatures under keys that are not the bundle's (gateways 1 and 4 impersonated)
        gateways.put(1, Ed25519.KeyPair.generate(RANDOM));
        gateways.put(4, Ed25519.KeyPair.generate(RANDOM));
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, full, List.of(removal(OWNER, SUCCESSOR, 1, 4))),
                "signed by 1 of the 3");
        // not a removal at all
        byte[] join = LedgerTx.sign(new ChangeRecord(Operation.JOIN, 5, 1, new byte[32], random16()), SUCCESSOR, null,
                gateways.get(SUCCESSOR)).encode();
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, full, List.of(join)), "not a REMOVE_GATEWAY");
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, full, List.of(new byte[] {1, 2, 3})),
                "not a REMOVE_GATEWAY");
        assertTrue(keys.removedGateways().isEmpty());
    }

    @Test
    void aGenuineRemovalProvesNothingForAnotherGatewayOrAnotherAdopter() {
        device(7, 4);
        // gateway 5's removal was real (5 of 7 signed), but the device's owner is 2: its devices are not this one
        byte[] otherRemoval = removal(5, 1, 3, 4, 6, 7);
        assertRefused(adoption(4, 9, 5, attachment, fullState(attachment, random16()), List.of(otherRemoval)),
                "gateway 2 owns this device's set");
        // gateway 2's removal was real, but the rule gives its sets to gateway 3, not to gateway 4 (the one rejoined)
        byte[] ownerRemoval = removal(OWNER, 1, 3, 4, 6, 7);
        assertRefused(adoption(4, 9, OWNER, attachment, fullState(attachment, random16()), List.of(ownerRemoval)),
                "make gateway 3 the owner");
        assertTrue(keys.removedGateways().isEmpty(), "a refused message teaches nothing either");
    }

    @Test
    void theSuccessorTakesOverOnlyWithAFullStateNodeMessage() {
        device(4, SUCCESSOR);
        List<byte[]> proof = List.of(removal(OWNER, SUCCESSOR, 1, 4));
        assertRefused(adoption(SUCCESSOR, 9, OWNER, attachment, List.of(KeyUpdate.put(KeyId.setKey(SET), random16(), false)),
                proof), "without replacing every key");
        assertRefused(RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, SUCCESSOR, 6, SET,
                Operation.REMOVE_GATEWAY, OWNER, SUCCESSOR, random16(), List.of(), proof), List.of(), setKey,
                gateways.get(SUCCESSOR)).encode(), "in a SET message");
    }

    @Test
    void aGenuineAdoptionIsAcceptedAndTheRemovedGatewayLosesTheDevice() {
        device(4, SUCCESSOR);
        byte[] newSetKey = random16();
        DeviceKeys.Result r = keys.apply(adoption(SUCCESSOR, 9, OWNER, attachment, fullState(attachment, newSetKey),
                List.of(removal(OWNER, SUCCESSOR, 1, 4))));
        assertEquals(DeviceKeys.Outcome.APPLIED, r.outcome(), r.reason());
        assertEquals(9, keys.seq());
        assertEquals(SUCCESSOR, keys.gatewayId(), "the adopter owns the device's set now");
        assertEquals(java.util.Set.of(OWNER), keys.removedGateways());
        assertArrayEquals(newSetKey, keys.current(KeyId.setKey(SET)).orElseThrow().key());
        assertTrue(keys.current(KeyId.pairwiseNodeKey(NODE, PEER)).isEmpty(), "the removed gateway's keys are gone");
        assertTrue(keys.atSeq(KeyId.setKey(SET), 5).isEmpty(), "no grace for keys the removed gateway knew");
        assertEquals(DeviceKeys.Outcome.DUPLICATE, keys.apply(setMessage(OWNER, 7, setKey, List.of())).outcome(),
                "what the removed gateway sent before is moot");

        // the removed gateway, holding every key it made, can no longer rekey the device
        assertRefused(setMessage(OWNER, 10, newSetKey, List.of()), "gateway 3 owns this device's set");
        assertRefused(RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, OWNER, 10, NODE, Operation.LEAVE,
                77, SET, random16(), List.of()), List.of(), nodeKey, gateways.get(OWNER)).encode(), "gateway 3 owns");
        // the new owner can
        r = keys.apply(setMessage(SUCCESSOR, 10, newSetKey, List.of(KeyUpdate.roll(KeyId.setKey(SET)))));
        assertEquals(DeviceKeys.Outcome.APPLIED, r.outcome(), r.reason());
    }

    @Test
    void removalsAreFollowedInLedgerOrderAsTheLedgerDoes() {
        // 7 gateways: gateway 3 (owning no set of this device) is removed first, then the owner; the ledger gives the
        // owner's sets to gateway 4, and the device must agree from the proofs alone
        device(7, 4);
        byte[] third = removal(3, 1, 2, 4, 5, 6);        // 5 of 7
        byte[] owner = removal(OWNER, 1, 4, 5, 6, 7);    // 5 of the 6 left
        List<KeyUpdate> full = fullState(attachment, random16());
        assertRefused(adoption(4, 9, OWNER, attachment, full, List.of(owner)), "make gateway 3 the owner");
        // out of order, the first removal shrinks the consortium and the second lacks its quorum in it
        assertRefused(adoption(4, 9, OWNER, attachment, full, List.of(owner, third)), "signed by 4 of the 5");
        // a signer already removed counts for nothing: gateway 3 co-signing the owner's removal after its own
        assertRefused(adoption(4, 9, OWNER, attachment, full, List.of(third, removal(OWNER, 1, 3, 4, 5, 6))),
                "signed by 4 of the 5");
        DeviceKeys.Result r = keys.apply(adoption(4, 9, OWNER, attachment, full, List.of(third, owner)));
        assertEquals(DeviceKeys.Outcome.APPLIED, r.outcome(), r.reason());
        assertEquals(4, keys.gatewayId());
        assertEquals(java.util.Set.of(3, OWNER), keys.removedGateways());

        // later, gateway 4 is removed too: the proofs of the earlier removals are known and skipped
        byte[] fourth = removal(4, 1, 5, 6, 7);          // 4 of the 5 left
        byte[] later = random16();
        keys.attachment(5, later);
        r = keys.apply(RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 5, 12, NODE,
                Operation.REMOVE_GATEWAY, 4, 5, random16(), List.of(), List.of(third, owner, fourth)),
                fullState(later, random16()), later, gateways.get(5)).encode());
        assertEquals(DeviceKeys.Outcome.APPLIED, r.outcome(), r.reason());
        assertEquals(5, keys.gatewayId());
    }

    @Test
    void refusalsAreLoggedAtMostTwentyTimesAMinute() {
        DeviceKeysTest.MutableClock clock = new DeviceKeysTest.MutableClock();
        RefusalLog log = new RefusalLog(org.slf4j.LoggerFactory.getLogger(DeviceKeysOwnershipTest.class), clock, 20);
        for (int i = 0; i < 25; i++) {
            log.refused("attempt " + i);
        }
        assertEquals(5, log.suppressed());
        clock.millis += 61_000;
        log.refused("after a minute");
        assertEquals(0, log.suppressed(), "the next window reports what was left out");
    }
}
