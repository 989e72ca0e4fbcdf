package chainkm.gateway.submit;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.TxFormatException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync mode: answers once an attempt passed CheckTx, then tracks the operation until it lands,
 * with its journal (so a restarted gateway finishes it) and a watchdog (so a lost transaction
 * is found and resent).
 *
 * <p>Decisions about one operation (resend, rebuild, give up) are taken one at a time, under its
 * own lock, from what this node saw of each of its attempts ({@link TrackedOperation}); events
 * (CheckTx, RECHECK, blocks) only record what happened and ask for a decision. So two decisions
 * about one operation never race, a new attempt is built only when none of its attempts is in
 * flight here, and the watchdog resends only an attempt that is still in flight.
 */
final class SyncModeTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncModeTracker.class);
    /** Attempts an operation may build without a block refusing one of them (see {@link TrackedOperation#attemptsExhausted}). */
    static final int MAX_ATTEMPTS = 40;
    /**
     * Attempts in all: a backstop for a gateway whose view of the ledger disagrees with the
     * ledger's for good (each block would refuse its attempt again); reordering costs one per block.
     */
    static final int MAX_ATTEMPTS_IN_ALL = 1000;

    private final TxBroadcaster rpc;
    private final AttemptBuilder builder;
    private final RefusalDecision decision;
    private final Duration resubmitAfter;
    private final PendingJournal journal;
    /** Every attempt of an unfinished operation (both modes), by transaction hash. */
    private final Map<String, TrackedOperation> byHash = new ConcurrentHashMap<>();
    /** The operations this tracker decides about. */
    private final Set<TrackedOperation> tracked = ConcurrentHashMap.newKeySet();
    private final ExecutorService io = Executors.newCachedThreadPool(r -> daemon(r, "submit-io"));
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "submit-watchdog"));

    /** What the turn does first for an operation. */
    private enum Next { BUILD, RESEND, DECIDE }

    /**
     * @param journal where acknowledged operations wait until they land; null keeps them in memory only
     */
    SyncModeTracker(TxBroadcaster rpc, AttemptBuilder builder, RefusalDecision decision, Duration resubmitAfter,
                    PendingJournal journal) {
        this.rpc = rpc;
        this.builder = builder;
        this.decision = decision;
        this.resubmitAfter = resubmitAfter;
        this.journal = journal;
        long period = Math.max(100, resubmitAfter.toMillis() / 4);
        watchdog.scheduleWithFixedDelay(this::watch, period, period, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static TxCode codeOf(int code) {
        TxCode c = TxCode.fromCode(code);
        return c == null ? TxCode.UNSUPPORTED_VERSION : c;
    }

    /** Sync mode's first answer: accepted once an attempt passed CheckTx, or refused for good. */
    SubmitResult submit(TrackedOperation op) throws IOException, InterruptedException {
        op.track();
        tracked.add(op);
        long since = System.nanoTime(); // T_e counts waiting for the turn too
        synchronized (op.decisions()) {
            return advance(op, Next.BUILD, null, since);
        }
    }

    /** Makes this node's events about {@code attempt} reach its operation (both modes). */
    void register(TrackedOperation op, Attempt attempt) {
        byHash.put(attempt.hash(), op);
        if (op.landed().isDone()) {
            byHash.remove(attempt.hash(), op); // it landed meanwhile: nothing left to hear about
        }
    }

    /**
     * Takes over a commit-mode operation whose broadcast_tx_commit ended without an answer: its
     * attempt may still be in a mempool, so it is tracked (looked up, resent, decided) rather
     * than rebuilt blindly. Waits up to {@code patience} for the outcome.
     */
    SubmitResult takeOver(TrackedOperation op, Duration patience) throws InterruptedException {
        op.track();
        tracked.add(op);
        String committed = op.committedHash(); // a block may have taken it before it was tracked
        if (committed != null) {
            return finish(op, op.committedAs(committed, 0));
        }
        op.due(resubmitAfter);
        try {
            return op.landed().get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            return finish(op, op.result(SubmitStatus.REFUSED, TxCode.OK.code(), "gave up: never committed", 0));
        }
    }

    /** Ends the operation (once): the result its caller waits for. Returns the result that ended it. */
    SubmitResult finish(TrackedOperation op, SubmitResult r) {
        if (op.landed().complete(r)) {
            tracked.remove(op);
            for (String hash : op.attemptHashes()) {
                byHash.remove(hash, op);
            }
            if (journal != null && op.mode() == SubmitMode.SYNC) {
                try {
                    journal.done(op.subject());
                } catch (IOException e) {
                    LOG.warn("cannot record in the journal that {} landed: {}", op.subject(), e.toString());
                }
            }
            if (!r.committed()) {
                LOG.warn("{} of {} refused for good: code {} {}", r.operation(), op.subject(), r.code(), r.log());
            }
        }
        return op.landed().getNow(r);
    }

    // --- deciding -----------------------------------------------------------------------------

    private record Sent(Attempt attempt, TxBroadcaster.CheckResult result) {}

    /**
     * Builds, sends or resends attempts of {@code op} until one is in a mempool (accepted) or the
     * operation is decided. Caller holds {@code op.decisions()}: one decision about it at a time.
     */
    private SubmitResult advance(TrackedOperation op, Next first, Attempt resend, long since)
            throws IOException, InterruptedException {
        Next next = first;
        Attempt attempt = resend;
        while (!op.landed().isDone()) {
            if (next != Next.DECIDE) {
                Sent sent = next == Next.BUILD ? buildAndSend(op, since) : new Sent(attempt, rpc.broadcastSync(attempt.tx()));
                if (sent == null) {
                    break;
                }
                attempt = sent.attempt();
                TxBroadcaster.CheckResult r = sent.result();
                op.sent(attempt, r);
                if (r.code() == 0) {
                    if (next == Next.BUILD && journal != null && op.mode() == SubmitMode.SYNC) {
                        journal.pending(op.subject(), attempt.tx());
                    }
                    return op.result(SubmitStatus.ACCEPTED, 0, "", 0);
                }
                since = System.nanoTime();
            } else if (op.inFlight() || op.lastRefusal() == null) {
                return op.result(SubmitStatus.ACCEPTED, 0, "", 0);
            }
            TrackedOperation.Refusal refusal = op.lastRefusal();
            RefusalDecision.Step step = decision.decide(op);
            switch (step) {
                case LANDED -> {
                    return finish(op, op.foundApplied());
                }
                case WAIT -> {
                    LOG.debug("{}: {} refused {}, waiting for its attempt in flight", op.subject(),
                            op.request().operation(), refusal.code());
                    return op.result(SubmitStatus.ACCEPTED, 0, "", 0);
                }
                case AWAIT_PREREQUISITE -> {
                    // acknowledged like an attempt in a mempool: it is built again once its prerequisite lands
                    if (next == Next.BUILD && journal != null && op.mode() == SubmitMode.SYNC) {
                        journal.pending(op.subject(), attempt.tx());
                    }
                    awaitPrerequisite(op);
                    return op.result(SubmitStatus.ACCEPTED, 0, "", 0);
                }
                case REFUSE -> {
                    return finish(op, op.refused(refusal));
                }
                case REBUILD, NEW_NODE_ID -> {
                    if (op.attemptsExhausted(MAX_ATTEMPTS, MAX_ATTEMPTS_IN_ALL)) {
                        return finish(op, op.result(SubmitStatus.REFUSED, refusal.code().code(),
                                "gave up after " + op.attemptCount() + " attempts: " + refusal.log(), refusal.height()));
                    }
                    if (step == RefusalDecision.Step.NEW_NODE_ID) {
                        op.forgetNodeId();
                    }
                    LOG.debug("{}: attempt {} refused ({}), rebuilding", op.subject(), op.attemptCount(),
                            refusal.code());
                    next = Next.BUILD;
                }
            }
        }
        return op.landed().getNow(null);
    }

    /**
     * A new attempt, built and checked in the builder's turn (resends need no turn: they build
     * nothing); null when the operation landed while this waited for the turn.
     */
    private Sent buildAndSend(TrackedOperation op, long since) throws IOException, InterruptedException {
        return builder.inTurn(() -> {
            if (op.landed().isDone()) {
                return null; // landed while this waited for the turn
            }
            Attempt attempt = builder.next(op);
            register(op, attempt);
            try {
                return new Sent(attempt, rpc.broadcastSync(attempt.tx()));
            } finally {
                op.addVerifyNanos(System.nanoTime() - since);
            }
        });
    }

    /** Decides about {@code op} again once its prerequisite landed (or was refused); arranged once at a time. */
    private void awaitPrerequisite(TrackedOperation op) {
        if (op.startAwaitingPrerequisite()) {
            LOG.debug("{}: waits for the operation it needs before it goes again", op.subject());
            op.prerequisite().whenComplete((r, e) -> io.execute(() -> {
                op.prerequisiteSettled();
                reconsider(op);
            }));
        }
    }

    /** After an event dropped an attempt: decides what the operation does next. */
    private void reconsider(TrackedOperation op) {
        long since = System.nanoTime();
        try {
            synchronized (op.decisions()) {
                if (!op.landed().isDone()) {
                    advance(op, Next.DECIDE, null, since);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: resubmission failed ({}); the watchdog will retry", op.subject(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- what this node saw ----------------------------------------------------------------

    /**
     * This node's CheckTx (new or RECHECK) of a transaction. A new CheckTx that drops an attempt
     * answers a send of ours, and the sender decides; a RECHECK that drops one asks for a decision.
     */
    void checked(String hash, TxCode code, boolean recheck) {
        TrackedOperation op = byHash.get(hash);
        if (op != null && op.checked(hash, code) && recheck && op.tracked() && !op.inFlight()) {
            io.execute(() -> reconsider(op)); // not on CometBFT's connection: deciding may send
        }
    }

    /** A committed block's results (or a result found in the tx index, with height 0). */
    void committed(long height, List<LedgerApp.TxResult> results) {
        for (LedgerApp.TxResult r : results) {
            TrackedOperation op = byHash.get(r.hash());
            if (op == null) {
                continue;
            }
            boolean dropped = op.inBlock(r.hash(), r.code(), r.code().name(), height);
            if (!op.tracked()) {
                continue; // commit mode: its own call returns the outcome
            }
            if (r.code().accepted()) {
                finish(op, op.committedAs(r.hash(), height)); // maybe an older attempt than the latest
            } else if (dropped && !op.inFlight()) {
                io.execute(() -> reconsider(op));
            }
        }
    }

    // --- restart and watchdog --------------------------------------------------------------

    /**
     * Takes up the operations a previous run of this gateway acknowledged in sync mode but did
     * not see land: each is looked up on the chain and resent if it is not there.
     */
    int recover() {
        if (journal == null) {
            return 0;
        }
        int n = 0;
        Map<String, TrackedOperation> enrollments = new HashMap<>();
        List<TrackedOperation> recovered = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : journal.recovered().entrySet()) {
            try {
                TrackedOperation op = TrackedOperation.recovered(LedgerTx.decode(e.getValue()), resubmitAfter);
                if (op.request().operation() == Operation.ENROLL) {
                    enrollments.put(op.request().deviceName(), op);
                }
                recovered.add(op);
            } catch (TxFormatException bad) {
                LOG.warn("journal entry for {} is unreadable; dropped", e.getKey());
            }
        }
        for (TrackedOperation op : recovered) {
            TrackedOperation enrollment = op.request().operation() == Operation.JOIN
                    ? enrollments.get(op.request().deviceName()) : null;
            if (enrollment != null) {
                op.dependOn(enrollment.landed()); // both were in flight: the join goes after its enrollment
            }
            op.attemptHashes().forEach(h -> byHash.put(h, op));
            tracked.add(op);
            n++;
        }
        if (n > 0) {
            LOG.info("recovered {} acknowledged operations that had not landed before the restart", n);
        }
        return n;
    }

    /** Operations that have not landed after a while: look their attempts up, resend one still in flight. */
    private void watch() {
        long now = System.nanoTime();
        for (TrackedOperation op : tracked) {
            if (op.landed().isDone() || now - op.lastSent() < resubmitAfter.toNanos()
                    || !op.watching().compareAndSet(false, true)) {
                continue;
            }
            io.execute(() -> {
                try {
                    lookUpAndResend(op);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{}: watchdog check failed: {}", op.subject(), e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    op.watching().set(false);
                }
            });
        }
    }

    private void lookUpAndResend(TrackedOperation op) throws IOException, InterruptedException {
        // the tx index knows what this node may have missed (blocks committed while the gateway was down)
        for (Attempt a : op.inFlightAttempts()) {
            OptionalInt code = rpc.committedCode(a.hashBytes());
            if (code.isPresent()) {
                committed(0, List.of(new LedgerApp.TxResult(a.hash(), codeOf(code.getAsInt()))));
            }
        }
        long since = System.nanoTime();
        synchronized (op.decisions()) {
            if (op.landed().isDone()) {
                return;
            }
            Attempt resend = op.newestInFlight();
            if (resend == null) {
                op.lookedAt();
                advance(op, Next.DECIDE, null, since);
                return;
            }
            LOG.info("{}: transaction not committed after {} ms, sending it again", op.subject(),
                    resubmitAfter.toMillis());
            advance(op, Next.RESEND, resend, since);
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        io.shutdownNow();
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException ignored) {
                // the journal is fsynced after every line: nothing is lost
            }
        }
    }
}
