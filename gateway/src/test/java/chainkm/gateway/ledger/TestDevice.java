package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** A device identity for the ledger's tests: its keys and commitment, and the transactions that carry its authority. */
final class TestDevice {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger NAMES = new AtomicInteger();

    final String name;
    final Ed25519.KeyPair enrollmentKey = Ed25519.KeyPair.generate(RANDOM);
    /** The key the ledger holds for it: the enrollment key until it activates. */
    Ed25519.KeyPair key = enrollmentKey;
    /** What its joins commit to (the hash of its secret code, or its rejoin chain's anchor). */
    byte[] commitment = SecretCode.commitment(SecretCode.generate(RANDOM));

    TestDevice() {
        this("dev-" + NAMES.incrementAndGet());
    }

    TestDevice(String name) {
        this.name = name;
    }

    static byte[] refreshKey() {
        byte[] r = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        RANDOM.nextBytes(r);
        return r;
    }

    static ChangeRecord blank(Operation op) {
        return new ChangeRecord(op, 0, 0, new byte[ChangeRecord.HASH_SIZE], refreshKey());
    }

    /** Its enrollment, submitted by gateway {@code gw}. */
    byte[] enroll(int gw, Ed25519.KeyPair gwKey) {
        return LedgerTx.sign(blank(Operation.ENROLL), gw, new DeviceEnrollment(name, enrollmentKey.publicKey()).encode(),
                gwKey).encode();
    }

    /** Its activation of {@code identity}, relayed by gateway {@code gw}; its key is that one from now on. */
    byte[] activate(Ed25519.KeyPair identity, int gw, Ed25519.KeyPair gwKey) {
        byte[] tx = LedgerTx.sign(blank(Operation.ACTIVATE), gw,
                IdentityActivation.sign(name, enrollmentKey, identity).encode(), gwKey).encode();
        key = identity;
        return tx;
    }

    /** Its join as {@code nodeId} in {@code setId}, through gateway {@code gw}, signed by its current key. */
    LedgerTx join(int nodeId, int setId, int gw, Ed25519.KeyPair gwKey) {
        return LedgerTx.sign(new ChangeRecord(Operation.JOIN, nodeId, setId, commitment, refreshKey()), gw,
                DeviceAuthorization.forJoin(name, commitment, key).encode(), gwKey);
    }

    /** Its leave of member record {@code m}, through gateway {@code gw}, signed by its current key. */
    LedgerTx leave(NodeRecord m, int gw, Ed25519.KeyPair gwKey) {
        return LedgerTx.sign(new ChangeRecord(Operation.LEAVE, m.nodeId(), m.setId(), m.secretCodeHash(), refreshKey()),
                gw, DeviceAuthorization.forLeave(name, m.nodeId(), key).encode(), gwKey);
    }
}
