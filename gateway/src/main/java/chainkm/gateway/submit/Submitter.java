package chainkm.gateway.submit;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Operation;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Submits this gateway's operations to its local CometBFT node, in commit or sync mode, and
 * makes sure each one lands exactly once.
 *
 * <p>Why it cannot go wrong twice: every attempt for one operation carries the same node id
 * (and, for a join, the same commitment), and the ledger refuses a reused node id, so at most
 * one attempt is ever applied. Why joins do not fail on set conflicts: the set id is computed
 * from this node's mempool state with one transaction at a time passing CheckTx
 * ({@link AttemptBuilder}), and if a block still orders things differently (another gateway's
 * join in between), the refused attempt is rebuilt with the set Assignment now gives and sent
 * again. Why an accepted operation is not lost to its own attempts: a refusal caused by another
 * attempt of the same operation is never final ({@link RefusalDecision}).
 */
public final class Submitter implements AutoCloseable {
    private final SecureRandom random = new SecureRandom();
    private final AttemptBuilder builder;
    private final SyncModeTracker syncMode;
    private final CommitModeSubmission commitMode;

    /**
     * @param journal where acknowledged sync-mode operations wait until they land, so a
     *                restarted gateway finishes them ({@link #recover()}); null keeps them in memory only
     */
    public Submitter(LedgerApp app, TxBroadcaster rpc, Ed25519.KeyPair key, int gatewayId, Duration resubmitAfter,
                     PendingJournal journal) {
        this.builder = new AttemptBuilder(app, key, gatewayId, random);
        RefusalDecision decision = new RefusalDecision(app);
        this.syncMode = new SyncModeTracker(rpc, builder, decision, resubmitAfter, journal);
        this.commitMode = new CommitModeSubmission(rpc, builder, decision, syncMode);
        app.addCheckTxListener((hash, code, recheck) -> {
            commitMode.checked(hash);
            syncMode.checked(hash, code, recheck);
        });
        app.addCommitListener(syncMode::committed);
    }

    /**
     * What to submit.
     *
     * @param nodeId        for a join, 0 lets the gateway pick a fresh node id
     * @param setIdOverride null lets the gateway pick the set (Assignment, or the member's set);
     *                      a fixed set exists to test the ledger's refusals (see {@link #asGiven})
     * @param commitment    what the change record carries in its secret-code-hash field: for a
     *                      join, the device's commitment (the hash of its secret code, or the
     *                      anchor of its rejoin chain); for a rejoin, the next link of that chain;
     *                      null lets the gateway choose (a fresh secret code for a join, the
     *                      member's recorded commitment for a departure)
     */
    public record Request(Operation operation, int nodeId, Integer setIdOverride, byte[] commitment) {
        /** A join with a node id and secret code the gateway picks. */
        public static Request join() {
            return new Request(Operation.JOIN, 0, null, null);
        }

        /** A device's join: its node id and the commitment it holds the secret for. */
        public static Request join(int nodeId, byte[] commitment) {
            return new Request(Operation.JOIN, nodeId, null, commitment);
        }

        /** A member's rejoin, proven by the next link of its rejoin chain. */
        public static Request rejoin(int nodeId, byte[] link) {
            return new Request(Operation.REJOIN, nodeId, null, link);
        }

        public static Request departure(Operation op, int nodeId) {
            return new Request(op, nodeId, null, null);
        }

        /**
         * Exactly these fields (null: the gateway's choice), for testing the ledger's refusals
         * through the control API: a set or commitment the ledger must refuse is sent as it is.
         */
        public static Request asGiven(Operation op, int nodeId, Integer setId, byte[] commitment) {
            return new Request(op, nodeId, setId, commitment);
        }
    }

    /**
     * The first answer (committed, accepted or refused) and the final one (committed or
     * refused). {@code secretCode} is the one the gateway made for a join (null when the caller
     * brought the commitment).
     */
    public record Submission(SubmitResult first, CompletableFuture<SubmitResult> landed, byte[] secretCode) {
        /** Never shows the secret code. */
        @Override
        public String toString() {
            return "Submission[" + first + "]";
        }
    }

    public Submission submit(Request request, SubmitMode mode) throws IOException, InterruptedException {
        TrackedOperation op = TrackedOperation.submitted(request, mode, random);
        SubmitResult first = mode == SubmitMode.COMMIT ? commitMode.run(op) : syncMode.submit(op);
        return new Submission(first, op.landed(), op.secretCode());
    }

    /**
     * Takes up the operations a previous run of this gateway acknowledged in sync mode but did
     * not see land: each is looked up on the chain and resent if it is not there.
     */
    public int recover() {
        return syncMode.recover();
    }

    /** A random node id nobody has used yet, on this node's mempool state. */
    public int freshNodeId() {
        return builder.freshNodeId();
    }

    @Override
    public void close() {
        syncMode.close();
        commitMode.close();
    }
}
