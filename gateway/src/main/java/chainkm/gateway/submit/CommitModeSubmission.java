package chainkm.gateway.submit;

import chainkm.gateway.ledger.TxCode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commit mode: {@code broadcast_tx_commit}, answering once the block holding the operation is
 * committed; an attempt that a block refuses for a stale set is rebuilt and sent again. When
 * the call ends without an answer, the attempt may still be in a mempool: the operation is
 * handed to the sync-mode tracker rather than rebuilt beside it.
 */
final class CommitModeSubmission implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitModeSubmission.class);
    /** How long the turn waits for this attempt's CheckTx before letting the next attempt be built. */
    private static final Duration CHECK_WAIT = Duration.ofSeconds(10);
    private static final Duration CALL_WAIT = Duration.ofSeconds(60);
    private static final Duration POLL_WAIT = Duration.ofSeconds(15);
    /** How long an operation handed to the tracker may take before the caller is told it was given up. */
    private static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(120);

    private final TxBroadcaster rpc;
    private final AttemptBuilder builder;
    private final RefusalDecision decision;
    private final SyncModeTracker tracker;
    private final Map<String, CompletableFuture<Void>> awaitingCheck = new ConcurrentHashMap<>();
    private final ExecutorService io = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "submit-commit");
        t.setDaemon(true);
        return t;
    });

    CommitModeSubmission(TxBroadcaster rpc, AttemptBuilder builder, RefusalDecision decision, SyncModeTracker tracker) {
        this.rpc = rpc;
        this.builder = builder;
        this.decision = decision;
        this.tracker = tracker;
    }

    /** This node ran CheckTx on {@code hash}: a commit-mode attempt waiting for it may let the turn go. */
    void checked(String hash) {
        CompletableFuture<Void> waiting = awaitingCheck.get(hash);
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    private record Sent(Attempt attempt, Future<TxBroadcaster.CommitResult> call) {}

    /** Submits until committed or refused for good; the result is both the first answer and the final one. */
    SubmitResult run(TrackedOperation op) throws IOException, InterruptedException {
        while (true) {
            long since = System.nanoTime(); // T_e counts waiting for the previous CheckTx too
            Sent sent = builder.inTurn(() -> send(op, since));
            Attempt attempt = sent.attempt();
            TxBroadcaster.CommitResult r;
            try {
                r = sent.call().get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // e.g. CometBFT's timeout_broadcast_tx_commit: find out from the chain itself
                LOG.info("broadcast_tx_commit for {} ended without an answer ({}); polling the chain",
                        op.subject(), e.getMessage());
                OptionalInt code = pollCommitted(attempt, POLL_WAIT);
                if (code.isEmpty()) {
                    return tracker.takeOver(op, TAKE_OVER_WAIT);
                }
                r = new TxBroadcaster.CommitResult(0, "", code.getAsInt(), "", 0);
            }
            if (r.checkCode() != 0) {
                op.sent(attempt, new TxBroadcaster.CheckResult(r.checkCode(), r.checkLog(), false));
            } else if (r.txCode() == 0) {
                op.inBlock(attempt.hash(), TxCode.OK, "", r.height());
                return tracker.finish(op, op.committedAs(attempt.hash(), r.height()));
            } else {
                op.refusedInBlock(attempt, SyncModeTracker.codeOf(r.txCode()), r.txLog(), r.height());
            }
            TrackedOperation.Refusal refusal = op.lastRefusal();
            RefusalDecision.Step step = decision.decide(op);
            switch (step) {
                case LANDED -> {
                    return tracker.finish(op, op.foundApplied());
                }
                case WAIT -> {
                    return tracker.takeOver(op, TAKE_OVER_WAIT);
                }
                case REFUSE -> {
                    return tracker.finish(op, op.refused(refusal));
                }
                case AWAIT_PREREQUISITE -> {
                    // then build again: refused for good if the prerequisite was (the decision sees it)
                    try {
                        op.prerequisite().get(TAKE_OVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (ExecutionException | TimeoutException e) {
                        return tracker.finish(op, op.refused(refusal));
                    }
                }
                case REBUILD, NEW_NODE_ID -> {
                    if (op.attemptsExhausted(SyncModeTracker.MAX_ATTEMPTS, SyncModeTracker.MAX_ATTEMPTS_IN_ALL)) {
                        return tracker.finish(op, op.refused(refusal));
                    }
                    if (step == RefusalDecision.Step.NEW_NODE_ID) {
                        op.forgetNodeId();
                    }
                    LOG.debug("{}: attempt {} refused ({}), rebuilding", op.subject(), op.attemptCount(),
                            refusal.code());
                }
            }
        }
    }

    /** Builds and sends one attempt; keeps the turn until its CheckTx ran, so the next one builds on it. */
    private Sent send(TrackedOperation op, long since) throws InterruptedException {
        Attempt attempt = builder.next(op);
        tracker.register(op, attempt);
        CompletableFuture<Void> checked = new CompletableFuture<>();
        awaitingCheck.put(attempt.hash(), checked);
        Future<TxBroadcaster.CommitResult> call = io.submit(() -> rpc.broadcastCommit(attempt.tx()));
        long deadline = System.nanoTime() + CHECK_WAIT.toNanos();
        try {
            while (!checked.isDone() && !call.isDone() && System.nanoTime() < deadline) {
                try {
                    checked.get(20, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException ignored) {
                    // poll again
                }
            }
        } finally {
            awaitingCheck.remove(attempt.hash());
            op.addVerifyNanos(System.nanoTime() - since);
        }
        return new Sent(attempt, call);
    }

    private OptionalInt pollCommitted(Attempt attempt, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalInt code = rpc.committedCode(attempt.hashBytes());
            if (code.isPresent()) {
                return code;
            }
            Thread.sleep(100);
        }
        return OptionalInt.empty();
    }

    @Override
    public void close() {
        io.shutdownNow();
    }
}
