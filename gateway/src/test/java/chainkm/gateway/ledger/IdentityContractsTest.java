package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.ledger.SecretCode;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device identities on the ledger: enrollment, activation, and the device's own authority on its
 * join and leave; every refusal with its own code and no state change. The attacker is a
 * consortium gateway (it signs its transactions validly) that knows everything the ledger shows.
 */
class IdentityContractsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path dir;
    private LedgerFixture ledger;

    @BeforeEach
    void fourGateways() throws Exception {
        ledger = new LedgerFixture(dir, 4);
    }

    private Ed25519.KeyPair gw(int id) {
        return ledger.key(id);
    }

    private byte[] enrollment(String name, byte[] key, int gw) {
        return LedgerTx.sign(TestDevice.blank(Operation.ENROLL), gw, new DeviceEnrollment(name, key).encode(), gw(gw)).encode();
    }

    private byte[] activation(IdentityActivation a, int gw) {
        return LedgerTx.sign(TestDevice.blank(Operation.ACTIVATE), gw, a.encode(), gw(gw)).encode();
    }

    @Test
    void aDeviceIsEnrolledActivatedJoinsLeavesAndStaysRevokedUntilANewEnrollment() {
        TestDevice d = new TestDevice();
        ledger.commit(d.enroll(1, gw(1)));
        DeviceIdentity enrolled = ledger.identity(d.name);
        assertEquals(DeviceIdentity.State.ENROLLED, enrolled.state());
        assertArrayEquals(d.enrollmentKey.publicKey(), enrolled.key());
        assertEquals(1, enrolled.enrolledBy());
        assertEquals(0, enrolled.node());
        String json = ledger.query("/identity", d.name);
        assertTrue(json.contains("\"state\":\"enrolled\"") && json.contains("\"enrolled_by\":1") && json.contains("\"node\":0"),
                json);

        Ed25519.KeyPair identityKey = Ed25519.KeyPair.generate(RANDOM);
        ledger.commit(d.activate(identityKey, 2, gw(2))); // any gateway relays it
        assertEquals(DeviceIdentity.State.ACTIVE, ledger.identity(d.name).state());
        assertEquals(d.name, ledger.app.readCommitted(s -> s.identityByKey(identityKey.publicKey())).orElseThrow().name());
        assertTrue(ledger.app.readCommitted(s -> s.identityByKey(d.enrollmentKey.publicKey())).isEmpty(),
                "the bundle's enrollment key opens nothing once the device activated");

        LedgerTx join = ledger.join(d, 31, 3);
        ledger.commit(join.encode());
        assertEquals(d.name, ledger.member(31).identity());
        assertEquals(31, ledger.identity(d.name).node());
        assertTrue(ledger.query("/node", "31").contains("\"identity\":\"" + d.name + "\""));

        ledger.commit(d.leave(ledger.member(31), 1, gw(1)).encode());
        DeviceIdentity revoked = ledger.identity(d.name);
        assertEquals(DeviceIdentity.State.REVOKED, revoked.state());
        assertEquals(31, revoked.node(), "the node it left as");
        assertEquals(DeviceIdentity.State.REVOKED,
                ledger.app.readCommitted(s -> s.identityByKey(identityKey.publicKey())).orElseThrow().state(),
                "the DTLS layer finds the key, revoked");

        // revoked: through every gateway, nothing it signs counts any more
        for (int g = 1; g <= 4; g++) {
            ledger.assertRefused(TxCode.IDENTITY_REVOKED, ledger.join(d, 40 + g, g).encode(), "a join after leaving via " + g);
        }
        ledger.assertRefused(TxCode.IDENTITY_REVOKED,
                activation(IdentityActivation.sign(d.name, identityKey, Ed25519.KeyPair.generate(RANDOM)), 1),
                "an activation after leaving");
        ledger.assertRefused(TxCode.NOT_A_MEMBER, LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 31, join.record().setId(),
                join.record().secretCodeHash(), TestDevice.refreshKey()), 2, null, gw(2)).encode(), "a rejoin after leaving");

        // a new enrollment (a new bundle) brings the name back; the old commitment stays used by this name
        TestDevice again = new TestDevice(d.name);
        again.commitment = d.commitment;
        ledger.commit(again.enroll(4, gw(4)));
        assertEquals(DeviceIdentity.State.ENROLLED, ledger.identity(d.name).state());
        assertEquals(0, ledger.identity(d.name).node());
        ledger.assertRefused(TxCode.SECRET_HASH_REUSED, ledger.join(again, 50, 4).encode(), "the old commitment");
        again.commitment = SecretCode.commitment(SecretCode.generate(RANDOM));
        ledger.commit(ledger.join(again, 51, 4).encode());
        assertEquals(d.name, ledger.member(51).identity());
    }

    @Test
    void enrollmentsAreRefusedForATakenNameAUsedKeyOrAMalformedStatement() {
        TestDevice d = ledger.enrolled(1);
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
        for (int g = 1; g <= 4; g++) {
            ledger.assertRefused(TxCode.NAME_TAKEN, enrollment(d.name, other.publicKey(), g), "the name again via " + g);
        }
        ledger.assertRefused(TxCode.KEY_IN_USE, enrollment("another", d.enrollmentKey.publicKey(), 2),
                "another name with an enrolled key");
        Ed25519.KeyPair identityKey = Ed25519.KeyPair.generate(RANDOM);
        ledger.commit(d.activate(identityKey, 1, gw(1)));
        ledger.assertRefused(TxCode.NAME_TAKEN, enrollment(d.name, other.publicKey(), 1), "an active name");
        ledger.assertRefused(TxCode.KEY_IN_USE, enrollment("another", d.enrollmentKey.publicKey(), 1),
                "a key an identity held before");
        ledger.assertRefused(TxCode.KEY_IN_USE, enrollment("another", identityKey.publicKey(), 1),
                "a device's identity key");

        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(TestDevice.blank(Operation.ENROLL), 1,
                "no enrollment".getBytes(), gw(1)).encode(), "garbage");
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(TestDevice.blank(Operation.ENROLL), 1, null, gw(1))
                .encode(), "no extension");
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(new ChangeRecord(Operation.ENROLL, 7, 0,
                new byte[32], TestDevice.refreshKey()), 1, new DeviceEnrollment("named", other.publicKey()).encode(), gw(1))
                .encode(), "a node id in an enrollment");
    }

    @Test
    void anActivationNeedsTheEnrolledKeyANewKeyAndAnIdentityThatNeverJoined() {
        TestDevice d = ledger.enrolled(1);
        TestDevice stranger = ledger.enrolled(2);
        Ed25519.KeyPair mine = Ed25519.KeyPair.generate(RANDOM);
        Ed25519.KeyPair gatewaysOwn = Ed25519.KeyPair.generate(RANDOM);

        ledger.assertRefused(TxCode.UNKNOWN_IDENTITY, activation(IdentityActivation.sign("nobody", d.enrollmentKey, mine), 1),
                "an unknown name");
        // a relaying gateway swaps in a key of its own: the enrollment key signed another one
        IdentityActivation real = IdentityActivation.sign(d.name, d.enrollmentKey, mine);
        IdentityActivation swapped = new IdentityActivation(d.name, gatewaysOwn.publicKey(), real.enrollmentSignature(),
                IdentityActivation.sign(d.name, gatewaysOwn, gatewaysOwn).identitySignature());
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, activation(swapped, 2), "a swapped key");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                activation(IdentityActivation.sign(d.name, gatewaysOwn, gatewaysOwn), 2), "without the bundle's key");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE,
                activation(IdentityActivation.sign(d.name, stranger.enrollmentKey, gatewaysOwn), 2), "another device's key");
        ledger.assertRefused(TxCode.KEY_IN_USE,
                activation(IdentityActivation.sign(d.name, d.enrollmentKey, d.enrollmentKey), 1), "the enrollment key again");
        ledger.assertRefused(TxCode.KEY_IN_USE,
                activation(IdentityActivation.sign(d.name, d.enrollmentKey, stranger.enrollmentKey), 1),
                "another identity's key");
        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(TestDevice.blank(Operation.ACTIVATE), 1,
                new DeviceEnrollment(d.name, mine.publicKey()).encode(), gw(1)).encode(), "an enrollment as activation");

        ledger.commit(activation(real, 3));
        ledger.assertRefused(TxCode.IDENTITY_NOT_ENROLLED,
                activation(IdentityActivation.sign(d.name, d.enrollmentKey, Ed25519.KeyPair.generate(RANDOM)), 3),
                "the bundle's key again, once activated");
        ledger.assertRefused(TxCode.IDENTITY_NOT_ENROLLED,
                activation(IdentityActivation.sign(d.name, mine, Ed25519.KeyPair.generate(RANDOM)), 3), "a second activation");

        // an identity that joined straight from its enrollment (a synthetic device) activates no more
        ledger.commit(ledger.join(stranger, 77, 2).encode());
        ledger.assertRefused(TxCode.IDENTITY_NOT_ENROLLED,
                activation(IdentityActivation.sign(stranger.name, stranger.enrollmentKey, Ed25519.KeyPair.generate(RANDOM)), 2),
                "an activation of a member");
    }

    @Test
    void aJoinCarriesTheDevicesOwnSignatureOverItsCommitment() {
        TestDevice d = ledger.enrolled(1);
        Ed25519.KeyPair identityKey = Ed25519.KeyPair.generate(RANDOM);
        ledger.commit(d.activate(identityKey, 1, gw(1)));
        LedgerTx good = ledger.join(d, 10, 2);
        ChangeRecord r = good.record();

        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(r, 2, null, gw(2)).encode(),
                "a join without the device's authority");
        ledger.assertRefused(TxCode.UNKNOWN_IDENTITY, LedgerTx.sign(r, 2, DeviceAuthorization.forJoin("nobody",
                r.secretCodeHash(), identityKey).encode(), gw(2)).encode(), "an unknown name");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(r, 2, DeviceAuthorization.forJoin(d.name,
                r.secretCodeHash(), gw(2)).encode(), gw(2)).encode(), "signed by the gateway's key");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(r, 2, DeviceAuthorization.forJoin(d.name,
                r.secretCodeHash(), d.enrollmentKey).encode(), gw(2)).encode(), "the bundle's key after activation");
        byte[] otherCommitment = SecretCode.commitment(SecretCode.generate(RANDOM));
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 10, r.setId(),
                otherCommitment, r.refreshKey()), 2, good.extension(), gw(2)).encode(), "its signature on another commitment");

        ledger.commit(good.encode());
        TestDevice twice = new TestDevice(d.name);
        twice.key = identityKey;
        ledger.assertRefused(TxCode.ALREADY_JOINED, ledger.join(twice, 11, 3).encode(), "its second join, as another node");
        ledger.assertRefused(TxCode.NODE_ID_REUSED, ledger.join(ledger.enrolled(1), 10, 3).encode(), "its node id");
    }

    @Test
    void aCommitmentCopiedIntoAGatewaysOwnJoinLocksTheRealDeviceOutOfNothing() {
        TestDevice device = ledger.enrolled(1);
        // gateway 2 saw the device's join in a mempool and puts its commitment first, under an identity of its own
        TestDevice fake = ledger.enrolled(2);
        fake.commitment = device.commitment;
        ledger.commit(ledger.join(fake, 20, 2).encode());
        // or under the device's name: it cannot sign for it
        TestDevice impostor = new TestDevice(device.name);
        impostor.commitment = device.commitment;
        impostor.key = fake.key;
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, ledger.join(impostor, 21, 2).encode(), "a copy under its name");
        // the real device still joins with it
        ledger.commit(ledger.join(device, 22, 1).encode());
        assertEquals(device.name, ledger.member(22).identity());
    }

    @Test
    void aLeaveCarriesTheDevicesOwnSignatureOverItsNode() {
        TestDevice d = ledger.enrolled(1);
        TestDevice other = ledger.enrolled(1);
        ledger.commit(ledger.join(d, 60, 1).encode());
        ledger.commit(ledger.join(other, 61, 1).encode());
        NodeRecord m = ledger.member(60);
        ChangeRecord leave = new ChangeRecord(Operation.LEAVE, 60, m.setId(), m.secretCodeHash(), TestDevice.refreshKey());

        ledger.assertRefused(TxCode.MALFORMED_EXTENSION, LedgerTx.sign(leave, 1, null, gw(1)).encode(),
                "a leave without the device's authority, even by its owner");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(leave, 1,
                DeviceAuthorization.forLeave(d.name, 60, gw(1)).encode(), gw(1)).encode(), "signed by the gateway");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(leave, 2,
                DeviceAuthorization.forLeave(other.name, 60, other.key).encode(), gw(2)).encode(), "another device, as itself");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(leave, 2,
                DeviceAuthorization.forLeave(d.name, 61, d.key).encode(), gw(2)).encode(), "its signature for another node");
        ledger.assertRefused(TxCode.BAD_DEVICE_SIGNATURE, LedgerTx.sign(leave, 2,
                DeviceAuthorization.forJoin(d.name, d.commitment, d.key).encode(), gw(2)).encode(), "its join signature");

        ledger.commit(d.leave(m, 3, gw(3)).encode()); // through any gateway
        assertEquals(DeviceIdentity.State.REVOKED, ledger.identity(d.name).state());
        assertEquals(DeviceIdentity.State.ENROLLED, ledger.identity(other.name).state());
    }

    @Test
    void rejoinChainsStillWorkForAMemberUnderItsIdentity() {
        byte[] seed = RejoinChain.newSeed(RANDOM);
        TestDevice d = ledger.enrolled(1);
        d.commitment = RejoinChain.anchor(seed);
        LedgerTx join = ledger.join(d, 70, 1);
        ledger.commit(join.encode());
        ledger.commit(LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 70, join.record().setId(), RejoinChain.proof(seed, 1),
                TestDevice.refreshKey()), 2, null, gw(2)).encode());
        assertEquals(2, ledger.member(70).attachedGateway());
        assertEquals(d.name, ledger.member(70).identity());
    }
}
