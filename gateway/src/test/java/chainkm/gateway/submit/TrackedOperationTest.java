package chainkm.gateway.submit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.ledger.Operation;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * When an operation stops building attempts. The flake this guards against: under load, a
 * proposer that orders a gateway's joins differently from its mempool refused one accepted join
 * for a stale set in 40 blocks in a row, and the gateway gave the acknowledged join up while the
 * ledger kept moving (AcceptedOperationsLandTest, "WRONG_SET after 40 attempts").
 */
class TrackedOperationTest {
    private static final int MAX = SyncModeTracker.MAX_ATTEMPTS;
    private static final int MAX_IN_ALL = SyncModeTracker.MAX_ATTEMPTS_IN_ALL;

    private int attempts;

    private static TrackedOperation join() {
        Submitter.Request request = new Submitter.Request(Operation.JOIN, 7, null, new byte[32], null, null);
        return TrackedOperation.submitted(request, SubmitMode.SYNC, new SecureRandom(), null);
    }

    private Attempt build(TrackedOperation op) {
        Attempt a = new Attempt(String.format("%064X", ++attempts), new byte[0], 1);
        op.built(a, 7);
        return a;
    }

    @Test
    void aJoinRefusedForAStaleSetInEveryNewBlockKeepsGoingAsLongAsBlocksCome() {
        TrackedOperation op = join();
        for (long height = 1; height <= 3L * MAX; height++) {
            Attempt a = build(op);
            assertTrue(op.inBlock(a.hash(), TxCode.WRONG_SET, "WRONG_SET", height));
            assertFalse(op.attemptsExhausted(MAX, MAX_IN_ALL), "gave up at attempt " + op.attemptCount()
                    + " although block " + height + " just refused it: the ledger is moving");
        }
    }

    @Test
    void commitModeBlockRefusalsCountAsProgressToo() {
        TrackedOperation op = join();
        for (long height = 1; height <= 3L * MAX; height++) {
            op.refusedInBlock(build(op), TxCode.WRONG_SET, "WRONG_SET", height);
            assertFalse(op.attemptsExhausted(MAX, MAX_IN_ALL));
        }
    }

    @Test
    void attemptsRefusedAtCheckTxWithoutABlockGiveUp() {
        TrackedOperation op = join();
        Attempt first = build(op);
        op.inBlock(first.hash(), TxCode.WRONG_SET, "WRONG_SET", 5);
        for (int i = 1; i < MAX; i++) {
            op.sent(build(op), new TxBroadcaster.CheckResult(TxCode.WRONG_SET.code(), "WRONG_SET", false));
            assertFalse(op.attemptsExhausted(MAX, MAX_IN_ALL), "only " + i + " attempts since block 5");
        }
        op.sent(build(op), new TxBroadcaster.CheckResult(TxCode.WRONG_SET.code(), "WRONG_SET", false));
        assertTrue(op.attemptsExhausted(MAX, MAX_IN_ALL), MAX + " attempts refused on a ledger that did not move");
    }

    @Test
    void aRefusalFromABlockAlreadyCountedOrFromTheTxIndexIsNoProgress() {
        TrackedOperation op = join();
        Attempt a = build(op);
        op.inBlock(a.hash(), TxCode.WRONG_SET, "WRONG_SET", 9);
        for (int i = 1; i < MAX; i++) {
            Attempt b = build(op);
            // an older block's word and a tx-index answer (height 0) come late: they do not reset the count
            op.inBlock(b.hash(), TxCode.WRONG_SET, "WRONG_SET", i % 2 == 0 ? 9 : 0);
        }
        build(op);
        assertTrue(op.attemptsExhausted(MAX, MAX_IN_ALL));
    }

    @Test
    void theBackstopEndsAnOperationEveryBlockRefuses() {
        TrackedOperation op = join();
        for (long height = 1; height < MAX_IN_ALL; height++) {
            op.inBlock(build(op).hash(), TxCode.WRONG_SET, "WRONG_SET", height);
        }
        assertFalse(op.attemptsExhausted(MAX, MAX_IN_ALL));
        op.inBlock(build(op).hash(), TxCode.WRONG_SET, "WRONG_SET", MAX_IN_ALL);
        assertTrue(op.attemptsExhausted(MAX, MAX_IN_ALL), "a gateway whose view never matches the ledger's stops");
    }
}
