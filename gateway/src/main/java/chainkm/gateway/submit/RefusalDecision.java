package chainkm.gateway.submit;

import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.ledger.Operation;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a refused attempt means for its operation: land, wait, build another attempt, or give up.
 *
 * <p>Why this needs care: every attempt of an operation carries the same node id and
 * commitment (that is what makes at most one of them apply), so an attempt can be refused
 * because another attempt of the same operation holds them, in this node's mempool (an older
 * attempt resent or gossiped back) or on the chain. Such a refusal is of the operation's own
 * making and never final: the operation waits for the attempt in flight, which either commits
 * (the operation landed) or is dropped (then a new attempt is built). Only when no attempt of it
 * is in flight is a refusal taken at its word.
 */
final class RefusalDecision {
    enum Step {
        /** An attempt of it is on the committed state. */
        LANDED,
        /** An attempt of it is (or may be) in a mempool: that one decides. */
        WAIT,
        /** Build a new attempt on the current state (same node id). */
        REBUILD,
        /** Build a new attempt with another node id (none of its attempts ever reached a mempool). */
        NEW_NODE_ID,
        /** Its prerequisite (the enrollment of a synthetic join's identity) has not landed: decide again once it has. */
        AWAIT_PREREQUISITE,
        REFUSE
    }

    /** Where the operation this one needs committed first stands. */
    enum Prerequisite { NONE, PENDING, LANDED, FAILED }

    /** Who holds a join's node id or commitment on the mempool's state. */
    enum Holder { NOBODY, THIS_OPERATION, ANOTHER }

    /**
     * @param applied            the committed state shows the operation applied
     * @param attemptInFlight    another attempt of it may be in this node's mempool
     * @param everInMempool      some attempt of it was (or may have been) in a mempool
     * @param gatewayChoseNodeId the caller left the node id to the gateway
     * @param gatewayChoseSet    the caller left the set id to the gateway
     * @param holder             for a join refused for its node id or commitment: who holds it now
     * @param prerequisite       the operation it needs committed first, if any
     */
    record Facts(Operation operation, TxCode code, boolean applied, boolean attemptInFlight, boolean everInMempool,
                 boolean gatewayChoseNodeId, boolean gatewayChoseSet, Holder holder, Prerequisite prerequisite) {
        Facts(Operation operation, TxCode code, boolean applied, boolean attemptInFlight, boolean everInMempool,
              boolean gatewayChoseNodeId, boolean gatewayChoseSet, Holder holder) {
            this(operation, code, applied, attemptInFlight, everInMempool, gatewayChoseNodeId, gatewayChoseSet, holder,
                    Prerequisite.NONE);
        }
    }

    private final LedgerApp app;

    RefusalDecision(LedgerApp app) {
        this.app = app;
    }

    static Step decide(Facts f) {
        if (f.applied()) {
            return Step.LANDED;
        }
        if (f.attemptInFlight()) {
            return Step.WAIT;
        }
        switch (f.code()) {
            case UNKNOWN_IDENTITY -> {
                // a join built while its identity's enrollment was in the mempool, which a block or recheck has not
                // seen (yet): it waits for the enrollment, then goes again; refused with it
                return switch (f.prerequisite()) {
                    case PENDING -> Step.AWAIT_PREREQUISITE;
                    case LANDED -> Step.REBUILD;
                    case NONE, FAILED -> Step.REFUSE;
                };
            }
            case WRONG_SET, SET_MISMATCH -> {
                // a block ordered things differently (or Reorder moved the node): the set is stale
                return f.gatewayChoseSet() ? Step.REBUILD : Step.REFUSE;
            }
            case NODE_ID_REUSED, SECRET_HASH_REUSED -> {
                if (f.operation() != Operation.JOIN) {
                    return Step.REFUSE;
                }
                if (!f.everInMempool()) {
                    // nothing of ours ever left this gateway: somebody else's id, or a used commitment
                    return f.code() == TxCode.NODE_ID_REUSED && f.gatewayChoseNodeId() ? Step.NEW_NODE_ID : Step.REFUSE;
                }
                return switch (f.holder()) {
                    case THIS_OPERATION -> Step.WAIT; // an attempt of ours we did not see enter: it decides
                    case ANOTHER -> Step.REFUSE;
                    case NOBODY -> Step.REBUILD; // whatever held it (our dropped attempt) is gone
                };
            }
            default -> {
                return Step.REFUSE;
            }
        }
    }

    /** The step for {@code op} after its latest refusal. */
    Step decide(TrackedOperation op) {
        TrackedOperation.Refusal r = op.lastRefusal();
        TxCode code = r == null ? TxCode.OK : r.code();
        Operation operation = op.request().operation();
        boolean idOrCommitment = code == TxCode.NODE_ID_REUSED || code == TxCode.SECRET_HASH_REUSED;
        Holder holder = operation == Operation.JOIN && idOrCommitment ? holder(op) : Holder.NOBODY;
        return decide(new Facts(operation, code, applied(op, code), op.inFlight(), op.everInMempool(),
                op.request().nodeId() == 0, op.request().setIdOverride() == null, holder, prerequisite(op)));
    }

    private static Prerequisite prerequisite(TrackedOperation op) {
        CompletableFuture<SubmitResult> p = op.prerequisite();
        if (p == null) {
            return Prerequisite.NONE;
        }
        if (!p.isDone()) {
            return Prerequisite.PENDING;
        }
        SubmitResult r = p.getNow(null);
        return r != null && r.committed() ? Prerequisite.LANDED : Prerequisite.FAILED;
    }

    /**
     * True when the refusal only says that an attempt of the same operation already landed (an
     * older attempt committed through another validator, or before a restart).
     */
    boolean applied(TrackedOperation op, TxCode code) {
        int node = op.nodeId();
        Operation operation = op.request().operation();
        if (operation == Operation.ENROLL || operation == Operation.ACTIVATE) {
            return identityApplied(op.request(), code);
        }
        if (operation == Operation.JOIN && (code == TxCode.NODE_ID_REUSED || code == TxCode.SECRET_HASH_REUSED
                || code == TxCode.ALREADY_JOINED)) {
            byte[] commitment = op.commitment();
            return app.readCommitted(s -> s.member(node).map(m -> Arrays.equals(m.secretCodeHash(), commitment)).orElse(false));
        }
        if (operation != Operation.JOIN && code == TxCode.NOT_A_MEMBER && op.recovered()) {
            // after a restart the older attempts are unknown; a node gone from the ledger is taken as our departure
            return app.readCommitted(s -> s.nodeIdUsed(node) && s.member(node).isEmpty());
        }
        return false;
    }

    /**
     * An enrollment refused NAME_TAKEN, or an activation refused IDENTITY_NOT_ENROLLED, has landed
     * when the committed state shows the name with the key it carried (a key is one identity's
     * only, ever).
     */
    private boolean identityApplied(Submitter.Request request, TxCode code) {
        try {
            if (request.operation() == Operation.ENROLL && code == TxCode.NAME_TAKEN) {
                DeviceEnrollment e = DeviceEnrollment.decode(request.extension());
                return app.readCommitted(s -> e.name().equals(s.keyOwner(e.enrollmentKey()).orElse(null))
                        && s.identity(e.name()).map(i -> i.state() != DeviceIdentity.State.REVOKED).orElse(false));
            }
            if (request.operation() == Operation.ACTIVATE && code == TxCode.IDENTITY_NOT_ENROLLED) {
                IdentityActivation a = IdentityActivation.decode(request.extension());
                return app.readCommitted(s -> a.name().equals(s.keyOwner(a.identityKey()).orElse(null)));
            }
        } catch (IdentityFormatException e) {
            return false;
        }
        return false;
    }

    private Holder holder(TrackedOperation op) {
        int node = op.nodeId();
        byte[] commitment = op.commitment();
        String name = op.request().deviceName();
        return app.readCheckState(s -> {
            Optional<NodeRecord> m = s.member(node);
            if (m.isPresent() && Arrays.equals(m.get().secretCodeHash(), commitment)) {
                return Holder.THIS_OPERATION;
            }
            boolean commitmentUsed = name != null && s.commitmentUsed(name, commitment);
            return s.nodeIdUsed(node) || commitmentUsed ? Holder.ANOTHER : Holder.NOBODY;
        });
    }
}
