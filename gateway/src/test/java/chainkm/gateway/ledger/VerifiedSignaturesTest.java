package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class VerifiedSignaturesTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void answersAsAFreshVerificationWouldEvenAfterRemembering() throws Exception {
        Ed25519.KeyPair gw = Ed25519.KeyPair.generate(RANDOM);
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
        LedgerTx good = LedgerTx.sign(new ChangeRecord(Operation.JOIN, 7, 1, new byte[32], new byte[16]), 1, null, gw);
        byte[] forgedBytes = good.encode();
        forgedBytes[forgedBytes.length - 1] ^= 1;
        LedgerTx forged = LedgerTx.decode(forgedBytes);
        VerifiedSignatures cache = new VerifiedSignatures();
        for (int i = 0; i < 2; i++) {
            assertTrue(cache.verify(good, gw.publicKey()));
            assertFalse(cache.verify(good, other.publicKey()), "a remembered success is tied to its key");
            assertFalse(cache.verify(forged, gw.publicKey()), "other bytes are verified afresh");
        }
    }
}
