package chainkm.gateway.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A device whose identity the ledger holds, for the submitter's tests: its key signs its join (commitment given) and leave. */
record EnrolledDevice(String name, Ed25519.KeyPair key, byte[] secretCode, byte[] commitment) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** {@code n} devices, enrolled by gateway {@code gw} in one block of their own, outside any submitter. */
    static List<EnrolledDevice> enroll(OneValidatorComet comet, int n, int gw, Ed25519.KeyPair gwKey) {
        List<EnrolledDevice> out = new ArrayList<>();
        List<byte[]> txs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] secret = SecretCode.generate(RANDOM);
            EnrolledDevice d = new EnrolledDevice("dev-" + NAMES.incrementAndGet(), Ed25519.KeyPair.generate(RANDOM), secret,
                    SecretCode.commitment(secret));
            out.add(d);
            txs.add(LedgerTx.sign(new ChangeRecord(Operation.ENROLL, 0, 0, new byte[ChangeRecord.HASH_SIZE], refreshKey()),
                    gw, new DeviceEnrollment(d.name(), d.key().publicKey()).encode(), gwKey).encode());
        }
        comet.block(txs);
        for (byte[] tx : txs) {
            assertEquals(0, comet.result(tx).code(), "enrollment");
        }
        return out;
    }

    private static byte[] refreshKey() {
        byte[] refresh = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        RANDOM.nextBytes(refresh);
        return refresh;
    }

    Submitter.Request join() {
        return Submitter.Request.join(0, commitment, DeviceAuthorization.forJoin(name, commitment, key));
    }

    Submitter.Request leave(int nodeId) {
        return Submitter.Request.leave(nodeId, DeviceAuthorization.forLeave(name, nodeId, key));
    }

    /** Its join as {@code nodeId} through gateway {@code gw}, built on {@code a}'s mempool state, sent by nobody but the test. */
    byte[] joinTx(LedgerApp a, int nodeId, int gw, Ed25519.KeyPair gwKey) {
        return joinTxInSet(a.readCheckState(s -> Assignment.selectSet(s.layout(), gw)), nodeId, gw, gwKey);
    }

    /** Its join as {@code nodeId} in {@code set} through gateway {@code gw}. */
    byte[] joinTxInSet(int set, int nodeId, int gw, Ed25519.KeyPair gwKey) {
        ChangeRecord r = new ChangeRecord(Operation.JOIN, nodeId, set, commitment, refreshKey());
        return LedgerTx.sign(r, gw, DeviceAuthorization.forJoin(name, commitment, key).encode(), gwKey).encode();
    }
}
