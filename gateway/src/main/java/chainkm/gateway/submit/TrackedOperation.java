package chainkm.gateway.submit;

import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One operation across all its attempts: what every attempt carries (node id, commitment) and
 * what this node has seen of each attempt (CheckTx, RECHECK, blocks). That record is what tells
 * a conflict of the operation's own making (one of its attempts holds the node id in a mempool)
 * from a real one, and what keeps a second attempt from being built while another is in flight.
 */
final class TrackedOperation {
    /** What this node knows of one attempt. */
    enum Fate {
        /** Sent; CheckTx's answer not known (yet): it may be in a mempool. */
        CHECKING,
        /** Passed CheckTx (or RECHECK) here: in this node's mempool. */
        IN_MEMPOOL,
        /** Refused by CheckTx, RECHECK or in a block: not in this node's mempool. */
        DROPPED,
        COMMITTED
    }

    /** A refusal of one of the attempts, as this node saw it; {@code height} is the block's, 0 for CheckTx. */
    record Refusal(TxCode code, String log, long height) {}

    private final Submitter.Request request;
    private final SubmitMode mode;
    private final long started = System.nanoTime();
    private final CompletableFuture<SubmitResult> landed = new CompletableFuture<>();
    private final AtomicBoolean watching = new AtomicBoolean();
    /** Held while deciding what the operation does next (and sending what was decided). */
    private final Object decisions = new Object();
    private final byte[] secretCode;
    private final byte[] commitment;
    private final boolean recovered;
    /** An operation that must be committed before this one can be (a synthetic join's enrollment), or null. */
    private volatile CompletableFuture<SubmitResult> prerequisite;
    private final AtomicBoolean awaitingPrerequisite = new AtomicBoolean();
    /** Every attempt, oldest first, and its fate here. Guarded by this. */
    private final Map<String, Attempt> attempts = new LinkedHashMap<>();
    private final Map<String, Fate> fates = new LinkedHashMap<>();
    private boolean everInMempool;
    private Refusal lastRefusal;
    /** The newest block that refused one of its attempts, and the attempts built since (see {@link #attemptsExhausted}). */
    private long lastRefusingBlock;
    private int attemptsSinceRefusingBlock;
    private String committedHash;
    /** The sync-mode tracker decides what happens next (sync mode, or commit mode after a timeout). */
    private volatile boolean tracked;
    private volatile int nodeId;
    private volatile Attempt current;
    private volatile int attemptCount;
    private volatile long lastSent;
    /** T_e so far: building, signing and CheckTx of every attempt. */
    private volatile long verifyNanos;

    private TrackedOperation(Submitter.Request request, SubmitMode mode, byte[] secretCode, byte[] commitment,
                             boolean recovered) {
        this.request = request;
        this.mode = mode;
        this.nodeId = request.nodeId();
        this.secretCode = secretCode;
        this.commitment = commitment;
        this.recovered = recovered;
        this.lastSent = started;
    }

    /**
     * A new operation. A join without a given commitment gets a fresh secret code here and carries
     * its commitment on every attempt.
     */
    static TrackedOperation submitted(Submitter.Request request, SubmitMode mode, SecureRandom random,
                                      CompletableFuture<SubmitResult> prerequisite) {
        TrackedOperation op;
        if (request.operation() == Operation.JOIN && request.commitment() == null) {
            byte[] code = SecretCode.generate(random);
            op = new TrackedOperation(request, mode, code, SecretCode.commitment(code), false);
        } else {
            op = new TrackedOperation(request, mode, null, request.commitment(), false);
        }
        op.prerequisite = prerequisite;
        return op;
    }

    /** An operation taken over from the journal: its last attempt, to be looked up and resent as it was. */
    static TrackedOperation recovered(LedgerTx tx, Duration resubmitAfter) {
        ChangeRecord r = tx.record();
        Submitter.Request request = Submitter.Request.of(tx);
        TrackedOperation op = new TrackedOperation(request, SubmitMode.SYNC, null, r.secretCodeHash(), true);
        op.built(new Attempt(Hex.encode(tx.hash()).toUpperCase(), tx.encode(), r.setId()), request.nodeId());
        synchronized (op) {
            op.everInMempool = true; // acknowledged before the restart
        }
        op.tracked = true;
        op.lastSent = System.nanoTime() - resubmitAfter.toNanos(); // the watchdog looks at it at once
        return op;
    }

    // --- what the attempts went through ----------------------------------------------------

    /** A new attempt, about to be sent. */
    synchronized void built(Attempt attempt, int nodeId) {
        attempts.put(attempt.hash(), attempt);
        fates.put(attempt.hash(), Fate.CHECKING);
        this.nodeId = nodeId;
        current = attempt;
        attemptCount++;
        attemptsSinceRefusingBlock++;
        lastSent = System.nanoTime();
    }

    /** This node's CheckTx or RECHECK of one attempt. Returns true when it dropped an attempt. */
    synchronized boolean checked(String hash, TxCode code) {
        Fate fate = fates.get(hash);
        if (fate == null || fate == Fate.COMMITTED) {
            return false;
        }
        if (code.accepted()) {
            fates.put(hash, Fate.IN_MEMPOOL); // also an old attempt that a peer gossiped back
            everInMempool = true;
            return false;
        }
        fates.put(hash, Fate.DROPPED);
        if (fate != Fate.DROPPED) {
            lastRefusal = new Refusal(code, code.name(), 0);
        }
        return fate != Fate.DROPPED;
    }

    /** The answer to sending (or resending) {@code attempt}: the freshest word on this operation. */
    synchronized void sent(Attempt attempt, TxBroadcaster.CheckResult r) {
        lastSent = System.nanoTime();
        Fate fate = fates.get(attempt.hash());
        if (fate == Fate.COMMITTED) {
            return;
        }
        if (r.code() == 0) {
            // also a duplicate: CometBFT's cache holds it, so it is in the mempool (or committed, which the block says)
            fates.put(attempt.hash(), Fate.IN_MEMPOOL);
            everInMempool = true;
        } else {
            fates.put(attempt.hash(), Fate.DROPPED);
            lastRefusal = new Refusal(SyncModeTracker.codeOf(r.code()), r.log(), 0);
        }
    }

    /** A block's (or the tx index's) result for one attempt. Returns true when it dropped an attempt. */
    synchronized boolean inBlock(String hash, TxCode code, String log, long height) {
        Fate fate = fates.get(hash);
        if (fate == null || fate == Fate.COMMITTED) {
            return false;
        }
        if (code.accepted()) {
            fates.put(hash, Fate.COMMITTED);
            committedHash = hash;
            return false;
        }
        fates.put(hash, Fate.DROPPED);
        if (fate != Fate.DROPPED) {
            lastRefusal = new Refusal(code, log, height);
        }
        refusedByBlock(height);
        return fate != Fate.DROPPED;
    }

    /** Commit mode's own answer: the block refused {@code attempt}. The freshest word on it, with the full log. */
    synchronized void refusedInBlock(Attempt attempt, TxCode code, String log, long height) {
        if (fates.get(attempt.hash()) != Fate.COMMITTED) {
            fates.put(attempt.hash(), Fate.DROPPED);
            lastRefusal = new Refusal(code, log, height);
            refusedByBlock(height);
        }
    }

    /**
     * A block at {@code height} (0: a tx-index answer, no block seen) refused an attempt: the
     * chain moved on, so the attempts built before it no longer count toward giving up.
     */
    private void refusedByBlock(long height) {
        if (height > lastRefusingBlock) {
            lastRefusingBlock = height;
            attemptsSinceRefusingBlock = 0;
        }
    }

    /**
     * True when building another attempt is pointless: {@code maxWithoutBlock} attempts were built
     * since a block last refused one (refused at CheckTx over and over on a ledger that did not
     * move), or {@code maxInAll} in all.
     *
     * <p>Why not a plain count: a block that orders other joins of the same gateway first (another
     * validator's proposal) refuses a join for a stale set, and under load an operation can lose that
     * race block after block while the ledger makes progress. Each such loss costs one attempt per
     * block, not a busy loop, and giving up on it would lose an operation already acknowledged.
     */
    synchronized boolean attemptsExhausted(int maxWithoutBlock, int maxInAll) {
        return attemptsSinceRefusingBlock >= maxWithoutBlock || attemptCount >= maxInAll;
    }

    /** True while some attempt may be in a mempool here: no new attempt may be built then. */
    synchronized boolean inFlight() {
        return fates.containsValue(Fate.CHECKING) || fates.containsValue(Fate.IN_MEMPOOL);
    }

    /** The newest attempt that may be in a mempool, or null. */
    Attempt newestInFlight() {
        List<Attempt> inFlight = inFlightAttempts();
        return inFlight.isEmpty() ? null : inFlight.get(0);
    }

    /** The attempts that may be in a mempool, newest first. */
    synchronized List<Attempt> inFlightAttempts() {
        List<Attempt> out = new ArrayList<>();
        fates.forEach((hash, f) -> {
            if (f == Fate.CHECKING || f == Fate.IN_MEMPOOL) {
                out.add(0, attempts.get(hash));
            }
        });
        return out;
    }

    synchronized List<String> attemptHashes() {
        return List.copyOf(attempts.keySet());
    }

    /** True once any attempt was (or may have been) in a mempool: its node id may be held by the operation itself. */
    synchronized boolean everInMempool() {
        return everInMempool || fates.containsValue(Fate.CHECKING);
    }

    synchronized Refusal lastRefusal() {
        return lastRefusal;
    }

    synchronized String committedHash() {
        return committedHash;
    }

    // --- plain state ---------------------------------------------------------------------------

    Submitter.Request request() {
        return request;
    }

    SubmitMode mode() {
        return mode;
    }

    CompletableFuture<SubmitResult> landed() {
        return landed;
    }

    Object decisions() {
        return decisions;
    }

    AtomicBoolean watching() {
        return watching;
    }

    byte[] secretCode() {
        return secretCode;
    }

    byte[] commitment() {
        return commitment;
    }

    boolean recovered() {
        return recovered;
    }

    int nodeId() {
        return nodeId;
    }

    /** What names it in logs and in the journal: its node id, or its device name for enroll and activate. */
    String subject() {
        return request.subject(nodeId);
    }

    CompletableFuture<SubmitResult> prerequisite() {
        return prerequisite;
    }

    /** After a restart: the recovered enrollment this recovered join needs. */
    void dependOn(CompletableFuture<SubmitResult> other) {
        prerequisite = other;
    }

    /** True the first time only: whoever gets true arranges to be told when the prerequisite lands. */
    boolean startAwaitingPrerequisite() {
        return awaitingPrerequisite.compareAndSet(false, true);
    }

    void prerequisiteSettled() {
        awaitingPrerequisite.set(false);
    }

    /** A random node id somebody else took before any attempt of ours was in a mempool: the next attempt picks another. */
    void forgetNodeId() {
        nodeId = 0;
    }

    int attemptCount() {
        return attemptCount;
    }

    boolean tracked() {
        return tracked;
    }

    void track() {
        tracked = true;
    }

    long lastSent() {
        return lastSent;
    }

    /** Nothing sent, but looked at: the watchdog waits a full period before looking again. */
    void lookedAt() {
        lastSent = System.nanoTime();
    }

    /** The watchdog looks at it at its next round. */
    void due(Duration resubmitAfter) {
        lastSent = System.nanoTime() - resubmitAfter.toNanos();
    }

    void addVerifyNanos(long nanos) {
        verifyNanos += nanos;
    }

    // --- results ---------------------------------------------------------------------------

    /** A result naming the latest attempt. */
    SubmitResult result(SubmitStatus status, int code, String log, long height) {
        Attempt a = current;
        double elapsed = (System.nanoTime() - started) / 1e6;
        return new SubmitResult(request.operation(), nodeId, a.setId(), status, code, log, height, a.hash(),
                attemptCount, elapsed, timing(status, elapsed));
    }

    SubmitResult refused(Refusal r) {
        return result(SubmitStatus.REFUSED, r.code().code(), r.log(), r.height());
    }

    /** Committed as the attempt {@code hash}: its set and transaction, not necessarily the latest attempt's. */
    SubmitResult committedAs(String hash, long height) {
        Attempt a;
        synchronized (this) {
            a = attempts.getOrDefault(hash, current);
        }
        double elapsed = (System.nanoTime() - started) / 1e6;
        return new SubmitResult(request.operation(), nodeId, a.setId(), SubmitStatus.COMMITTED, 0, "", height, a.hash(),
                attemptCount, elapsed, timing(SubmitStatus.COMMITTED, elapsed));
    }

    /** Found applied on the committed state: as the attempt seen committed, if any was. */
    SubmitResult foundApplied() {
        String hash = committedHash();
        return hash != null ? committedAs(hash, 0) : result(SubmitStatus.COMMITTED, 0, "", 0);
    }

    private OpTiming timing(SubmitStatus status, double elapsed) {
        double verify = verifyNanos / 1e6;
        return status == SubmitStatus.COMMITTED && !recovered
                ? new OpTiming(Double.NaN, verify, Math.max(0, elapsed - verify)) : OpTiming.verified(verify);
    }
}
