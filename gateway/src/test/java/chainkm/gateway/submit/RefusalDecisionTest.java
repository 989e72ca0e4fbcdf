package chainkm.gateway.submit;

import static chainkm.gateway.submit.RefusalDecision.Holder.ANOTHER;
import static chainkm.gateway.submit.RefusalDecision.Holder.NOBODY;
import static chainkm.gateway.submit.RefusalDecision.Holder.THIS_OPERATION;
import static chainkm.gateway.submit.RefusalDecision.Step.LANDED;
import static chainkm.gateway.submit.RefusalDecision.Step.NEW_NODE_ID;
import static chainkm.gateway.submit.RefusalDecision.Step.REBUILD;
import static chainkm.gateway.submit.RefusalDecision.Step.REFUSE;
import static chainkm.gateway.submit.RefusalDecision.Step.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.gateway.ledger.TxCode;
import chainkm.gateway.submit.RefusalDecision.Facts;
import chainkm.gateway.submit.RefusalDecision.Holder;
import chainkm.protocol.ledger.Operation;
import org.junit.jupiter.api.Test;

class RefusalDecisionTest {
    /** A join whose node id and set the gateway chose, refused with {@code code}; nothing else known. */
    private static Facts join(TxCode code) {
        return new Facts(Operation.JOIN, code, false, false, false, true, true, NOBODY);
    }

    private static Facts with(Facts f, boolean applied, boolean inFlight, boolean everInMempool, Holder holder) {
        return new Facts(f.operation(), f.code(), applied, inFlight, everInMempool, f.gatewayChoseNodeId(),
                f.gatewayChoseSet(), holder);
    }

    @Test
    void anOperationFoundOnTheCommittedStateHasLandedWhateverTheRefusalSays() {
        for (TxCode code : new TxCode[] {TxCode.NODE_ID_REUSED, TxCode.SECRET_HASH_REUSED, TxCode.WRONG_SET}) {
            assertEquals(LANDED, RefusalDecision.decide(with(join(code), true, true, true, THIS_OPERATION)));
        }
    }

    @Test
    void whileAnotherAttemptIsInFlightNoRefusalIsFinalAndNothingIsRebuilt() {
        for (TxCode code : TxCode.values()) {
            if (!code.accepted()) {
                assertEquals(WAIT, RefusalDecision.decide(with(join(code), false, true, true, NOBODY)), code.name());
            }
        }
    }

    @Test
    void theIssuesLostJoinWaitsForItsOwnAttemptInsteadOfEndingRefused() {
        // the rebuilt attempt was refused NODE_ID_REUSED because an older attempt of the same join holds the id
        Facts rebuiltRefused = with(join(TxCode.NODE_ID_REUSED), false, false, true, THIS_OPERATION);
        assertEquals(WAIT, RefusalDecision.decide(rebuiltRefused));
        // and once that attempt is dropped too, nothing holds the id: build again (same node id)
        assertEquals(REBUILD, RefusalDecision.decide(with(rebuiltRefused, false, false, true, NOBODY)));
        assertEquals(REBUILD, RefusalDecision.decide(with(join(TxCode.SECRET_HASH_REUSED), false, false, true, NOBODY)));
    }

    @Test
    void aNodeIdOrCommitmentHeldBySomebodyElseIsARealRefusal() {
        assertEquals(REFUSE, RefusalDecision.decide(with(join(TxCode.NODE_ID_REUSED), false, false, true, ANOTHER)));
        assertEquals(REFUSE, RefusalDecision.decide(with(join(TxCode.SECRET_HASH_REUSED), false, false, true, ANOTHER)));
    }

    @Test
    void beforeAnyAttemptReachedAMempoolATakenRandomNodeIdIsReplaced() {
        assertEquals(NEW_NODE_ID, RefusalDecision.decide(join(TxCode.NODE_ID_REUSED)));
        Facts callersId = new Facts(Operation.JOIN, TxCode.NODE_ID_REUSED, false, false, false, false, true, NOBODY);
        assertEquals(REFUSE, RefusalDecision.decide(callersId));
        assertEquals(REFUSE, RefusalDecision.decide(join(TxCode.SECRET_HASH_REUSED)), "a used commitment");
    }

    @Test
    void aStaleSetIsRebuiltUnlessTheCallerFixedIt() {
        assertEquals(REBUILD, RefusalDecision.decide(join(TxCode.WRONG_SET)));
        assertEquals(REBUILD, RefusalDecision.decide(with(join(TxCode.WRONG_SET), false, false, true, NOBODY)));
        Facts leave = new Facts(Operation.LEAVE, TxCode.SET_MISMATCH, false, false, true, false, true, NOBODY);
        assertEquals(REBUILD, RefusalDecision.decide(leave));
        Facts fixedSet = new Facts(Operation.JOIN, TxCode.WRONG_SET, false, false, false, true, false, NOBODY);
        assertEquals(REFUSE, RefusalDecision.decide(fixedSet));
    }

    @Test
    void otherRefusalsAreFinalOnceNoAttemptIsInFlight() {
        assertEquals(REFUSE, RefusalDecision.decide(
                new Facts(Operation.LEAVE, TxCode.NOT_A_MEMBER, false, false, true, false, true, NOBODY)));
        assertEquals(REFUSE, RefusalDecision.decide(
                new Facts(Operation.REJOIN, TxCode.BAD_REJOIN_PROOF, false, false, true, false, true, NOBODY)));
        assertEquals(REFUSE, RefusalDecision.decide(
                new Facts(Operation.LEAVE, TxCode.NODE_ID_REUSED, false, false, true, false, true, THIS_OPERATION)));
        assertEquals(REFUSE, RefusalDecision.decide(join(TxCode.BAD_SIGNATURE)));
    }
}
