package chainkm.protocol.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A removal's proof checked as the ledger's contract checks the transaction, and the successor rule. */
class RemovalProofTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<Integer, Ed25519.KeyPair> keys = new TreeMap<>();
    private final Map<Integer, byte[]> consortium = new TreeMap<>();

    RemovalProofTest() {
        for (int id = 1; id <= 4; id++) {
            keys.put(id, Ed25519.KeyPair.generate(RANDOM));
            consortium.put(id, keys.get(id).publicKey());
        }
    }

    private LedgerTx removal(int removed, int submitter, int... cosigners) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        List<Cosignatures.Cosignature> cosigs = new ArrayList<>();
        for (int c : cosigners) {
            cosigs.add(GatewayRemoval.cosign(c, keys.get(c), removed, nonce));
        }
        return LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, removed, 0, new byte[32], nonce), submitter,
                Cosignatures.extension(cosigs), keys.get(submitter));
    }

    @Test
    void aQuorumOfTheOthersProvesTheRemoval() throws Exception {
        RemovalProof p = RemovalProof.decode(removal(2, 3, 1, 4).encode());
        assertEquals(2, p.removedGateway());
        assertEquals(Set.of(1, 3, 4), p.signers(consortium));
        assertTrue(p.provenIn(consortium));
        // fewer than the quorum, the removed gateway's own signature, or a consortium that does not hold it
        assertFalse(RemovalProof.of(removal(2, 3, 1)).provenIn(consortium));
        assertFalse(RemovalProof.of(removal(2, 3, 2, 1)).provenIn(consortium));
        assertEquals(Set.of(1, 3), RemovalProof.of(removal(2, 2, 1, 3)).signers(consortium), "the removed gateway submits");
        Map<Integer, byte[]> without = new TreeMap<>(consortium);
        without.remove(2);
        assertFalse(p.provenIn(without));
        // keys the verifier does not hold count for nothing
        Map<Integer, byte[]> other = new TreeMap<>(consortium);
        other.put(4, Ed25519.KeyPair.generate(RANDOM).publicKey());
        assertEquals(Set.of(1, 3), p.signers(other));
        assertFalse(p.provenIn(other));
    }

    @Test
    void onlyARemovalIsAProof() {
        LedgerTx join = LedgerTx.sign(new ChangeRecord(Operation.JOIN, 5, 1, new byte[32], new byte[16]), 1, null,
                keys.get(1));
        TxFormatException e = assertThrows(TxFormatException.class, () -> RemovalProof.decode(join.encode()));
        assertEquals(TxFormatException.Reason.UNKNOWN_OPERATION, e.reason());
        assertThrows(IllegalArgumentException.class, () -> RemovalProof.of(join));
        assertThrows(TxFormatException.class, () -> RemovalProof.decode(new byte[] {1, 2}));
    }

    @Test
    void theSuccessorIsTheNextIdWrappingAround() {
        assertEquals(3, Succession.successorOf(List.of(1, 2, 3, 4), 2));
        assertEquals(1, Succession.successorOf(List.of(4, 1, 2, 3), 4));
        assertEquals(4, Succession.successorOf(List.of(1, 2, 4), 2));
        assertEquals(3, Succession.successorOf(List.of(1, 3), 2), "the removed one need not be listed");
        assertEquals(1, Succession.successorOf(List.of(1, 3), 5));
        assertThrows(IllegalStateException.class, () -> Succession.successorOf(List.of(2), 2));
    }
}
