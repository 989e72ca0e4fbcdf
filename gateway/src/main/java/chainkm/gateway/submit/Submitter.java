package chainkm.gateway.submit;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits this gateway's operations to its local CometBFT node, in commit or sync mode, and
 * makes sure each one lands exactly once.
 *
 * <p>Why it cannot go wrong twice: every attempt for one operation carries the same node id
 * (and, for a join, the same secret-code hash), and the ledger refuses a reused node id, so
 * at most one attempt is ever applied. Why joins do not fail on set conflicts: the set id is
 * computed from this node's mempool state with one transaction at a time passing CheckTx,
 * and if a block still orders things differently (another gateway's join in between), the
 * refused attempt is rebuilt with the set Assignment now gives and sent again.
 */
public final class Submitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);
    private static final int MAX_ATTEMPTS = 40;

    private final LedgerApp app;
    private final TxBroadcaster rpc;
    private final Ed25519.KeyPair key;
    private final int gatewayId;
    private final Duration resubmitAfter;
    private final PendingJournal journal;
    private final SecureRandom random = new SecureRandom();
    /** One transaction through CheckTx at a time, so each is built on the state the previous left. */
    private final Object checkLock = new Object();
    private final Map<String, CompletableFuture<TxCode>> awaitingCheck = new ConcurrentHashMap<>();
    private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
    private final ExecutorService io = Executors.newCachedThreadPool(r -> daemon(r, "submit-io"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "submit-watchdog"));

    /**
     * @param journal where acknowledged sync-mode operations wait until they land, so a
     *                restarted gateway finishes them ({@link #recover()}); null keeps them in memory only
     */
    public Submitter(LedgerApp app, TxBroadcaster rpc, Ed25519.KeyPair key, int gatewayId, Duration resubmitAfter,
                     PendingJournal journal) {
        this.journal = journal;
        this.app = app;
        this.rpc = rpc;
        this.key = key;
        this.gatewayId = gatewayId;
        this.resubmitAfter = resubmitAfter;
        app.addCheckTxListener(this::onCheckTx);
        app.addCommitListener(this::onCommit);
        long period = Math.max(100, resubmitAfter.toMillis() / 4);
        watchdog.scheduleWithFixedDelay(this::watch, period, period, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * What to submit. For a join, {@code nodeId} 0 lets the gateway pick a fresh id and
     * secret code. The overrides (set id, secret-code hash) exist to test the ledger's refusals.
     */
    public record Request(Operation operation, int nodeId, Integer setIdOverride, byte[] secretHashOverride) {
        public static Request join() {
            return new Request(Operation.JOIN, 0, null, null);
        }

        public static Request departure(Operation op, int nodeId) {
            return new Request(op, nodeId, null, null);
        }
    }

    /** The first answer (committed, accepted or refused) and the final one (committed or refused). */
    public record Submission(SubmitResult first, CompletableFuture<SubmitResult> landed, byte[] secretCode) {
        /** Never shows the secret code. */
        @Override
        public String toString() {
            return "Submission[" + first + "]";
        }
    }

    public Submission submit(Request request, SubmitMode mode) throws IOException, InterruptedException {
        Tracked t = new Tracked(request, mode);
        SubmitResult first = mode == SubmitMode.COMMIT ? runCommitMode(t) : runSyncMode(t);
        if (!first.status().equals(SubmitResult.ACCEPTED)) {
            t.finish(first);
        }
        return new Submission(first, t.landed, t.secretCode);
    }

    // --- commit mode ---------------------------------------------------------------------

    private SubmitResult runCommitMode(Tracked t) throws IOException, InterruptedException {
        while (true) {
            byte[] tx;
            Future<TxBroadcaster.CommitResult> call;
            long built = System.nanoTime(); // T_e counts waiting for the previous CheckTx too
            synchronized (checkLock) {
                tx = t.nextAttempt();
                String hash = t.currentHash;
                CompletableFuture<TxCode> checked = new CompletableFuture<>();
                awaitingCheck.put(hash, checked);
                byte[] bytes = tx;
                call = io.submit(() -> rpc.broadcastCommit(bytes));
                // hold the lock until our CheckTx ran (or the call ended): the next one builds on it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!checked.isDone() && !call.isDone() && System.nanoTime() < deadline) {
                    try {
                        checked.get(20, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException | ExecutionException ignored) {
                        // poll again
                    }
                }
                awaitingCheck.remove(hash);
                t.verifyNanos += System.nanoTime() - built;
            }
            TxBroadcaster.CommitResult r;
            try {
                r = call.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // e.g. CometBFT's timeout_broadcast_tx_commit: find out from the chain itself
                LOG.info("broadcast_tx_commit for node {} ended without an answer ({}); polling the chain",
                        t.nodeId, e.getMessage());
                OptionalInt code = pollCommitted(t.currentHashBytes(), Duration.ofSeconds(15));
                if (code.isEmpty()) {
                    if (t.attempts >= MAX_ATTEMPTS) {
                        return t.result(SubmitResult.REFUSED, TxCode.OK.code(), "gave up: never committed", 0);
                    }
                    continue;
                }
                r = new TxBroadcaster.CommitResult(0, "", code.getAsInt(), "", 0);
            }
            if (r.checkCode() != 0) {
                if (retryable(r.checkCode(), t) && t.attempts < MAX_ATTEMPTS) {
                    continue;
                }
                return t.result(SubmitResult.REFUSED, r.checkCode(), r.checkLog(), 0);
            }
            if (r.txCode() == 0) {
                return t.result(SubmitResult.COMMITTED, 0, "", r.height());
            }
            if (retryable(r.txCode(), t) && t.attempts < MAX_ATTEMPTS) {
                LOG.debug("node {}: attempt {} refused in the block ({}), rebuilding", t.nodeId, t.attempts, r.txCode());
                continue;
            }
            return t.result(SubmitResult.REFUSED, r.txCode(), r.txLog(), r.height());
        }
    }

    private OptionalInt pollCommitted(byte[] hash, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalInt code = rpc.committedCode(hash);
            if (code.isPresent()) {
                return code;
            }
            Thread.sleep(100);
        }
        return OptionalInt.empty();
    }

    // --- sync mode -----------------------------------------------------------------------

    private SubmitResult runSyncMode(Tracked t) throws IOException, InterruptedException {
        while (true) {
            TxBroadcaster.CheckResult r;
            long built = System.nanoTime();
            synchronized (checkLock) {
                byte[] tx = t.nextAttempt();
                tracked.put(t.currentHash, t);
                try {
                    r = rpc.broadcastSync(tx);
                } finally {
                    t.verifyNanos += System.nanoTime() - built;
                }
            }
            if (r.code() == 0) {
                if (journal != null) {
                    journal.pending(t.nodeId, t.currentTx);
                }
                return t.result(SubmitResult.ACCEPTED, 0, "", 0);
            }
            tracked.remove(t.currentHash);
            if (retryable(r.code(), t) && t.attempts < MAX_ATTEMPTS) {
                continue;
            }
            return t.result(SubmitResult.REFUSED, r.code(), r.log(), 0);
        }
    }

    private void onCheckTx(String hash, TxCode code, boolean recheck) {
        CompletableFuture<TxCode> waiting = awaitingCheck.get(hash);
        if (waiting != null) {
            waiting.complete(code);
        }
        if (recheck && !code.accepted()) {
            Tracked t = tracked.get(hash);
            if (t != null && !t.landed.isDone() && hash.equals(t.currentHash)) {
                // our pending transaction became invalid on the new state: rebuild it
                io.execute(() -> resubmit(t, code));
            }
        }
    }

    private void onCommit(long height, List<LedgerApp.TxResult> results) {
        for (LedgerApp.TxResult r : results) {
            Tracked t = tracked.get(r.hash());
            if (t == null || t.landed.isDone()) {
                continue;
            }
            if (r.code().accepted()) {
                t.finish(t.committedAs(r.hash(), height)); // maybe an older attempt than the current one
            } else if (alreadyApplied(t, r.code())) {
                t.finish(t.result(SubmitResult.COMMITTED, 0, "", height));
            } else if (retryable(r.code().code(), t) && hashIsCurrent(t, r.hash())) {
                io.execute(() -> resubmit(t, r.code()));
            } else if (hashIsCurrent(t, r.hash())) {
                t.finish(t.result(SubmitResult.REFUSED, r.code().code(), r.code().name(), height));
            }
        }
    }

    /**
     * True when a refusal only says that an earlier attempt of the same operation already
     * landed (possible after a restart: the journal holds the latest attempt, an older one
     * may have been committed meanwhile).
     */
    private boolean alreadyApplied(Tracked t, TxCode code) {
        if (t.request.operation() == Operation.JOIN && code == TxCode.NODE_ID_REUSED) {
            return app.readCommitted(s -> s.member(t.nodeId).map(m -> java.util.Arrays.equals(m.secretCodeHash(),
                    t.secretHash)).orElse(false));
        }
        if (t.request.operation() != Operation.JOIN && code == TxCode.NOT_A_MEMBER && t.recovered) {
            return app.readCommitted(s -> s.nodeIdUsed(t.nodeId) && s.member(t.nodeId).isEmpty());
        }
        return false;
    }

    /**
     * Takes up the operations a previous run of this gateway acknowledged in sync mode but did
     * not see land: each is looked up on the chain and resent if it is not there.
     */
    public int recover() {
        if (journal == null) {
            return 0;
        }
        int n = 0;
        for (Map.Entry<Integer, byte[]> e : journal.recovered().entrySet()) {
            try {
                LedgerTx tx = LedgerTx.decode(e.getValue());
                Tracked t = new Tracked(tx);
                tracked.put(t.currentHash, t);
                n++;
            } catch (chainkm.protocol.ledger.TxFormatException bad) {
                LOG.warn("journal entry for node {} is unreadable; dropped", e.getKey());
            }
        }
        if (n > 0) {
            LOG.info("recovered {} acknowledged operations that had not landed before the restart", n);
        }
        return n;
    }

    private static boolean hashIsCurrent(Tracked t, String hash) {
        return hash.equals(t.currentHash);
    }

    private void resubmit(Tracked t, TxCode why) {
        try {
            if (t.landed.isDone()) {
                return;
            }
            if (alreadyApplied(t, why)) {
                t.finish(t.result(SubmitResult.COMMITTED, 0, "", 0));
                return;
            }
            if (t.attempts >= MAX_ATTEMPTS) {
                t.finish(t.result(SubmitResult.REFUSED, why.code(), "gave up after " + t.attempts + " attempts", 0));
                return;
            }
            LOG.debug("node {}: resubmitting after {}", t.nodeId, why);
            SubmitResult r = runSyncMode(t);
            if (r.status().equals(SubmitResult.REFUSED) && alreadyApplied(t, codeOf(r.code()))) {
                t.finish(t.result(SubmitResult.COMMITTED, 0, "", 0));
            } else if (!r.status().equals(SubmitResult.ACCEPTED)) {
                t.finish(r);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("node {}: resubmission failed ({}); the watchdog will retry", t.nodeId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sync-mode transactions that have not landed after a while: look them up, resend if lost. */
    private void watch() {
        long now = System.nanoTime();
        for (Tracked t : Map.copyOf(tracked).values()) {
            if (t.landed.isDone()) {
                tracked.values().removeIf(x -> x == t);
                continue;
            }
            if (now - t.lastSent < resubmitAfter.toNanos() || !t.watching.compareAndSet(false, true)) {
                continue;
            }
            io.execute(() -> {
                try {
                    OptionalInt code = rpc.committedCode(t.currentHashBytes());
                    if (code.isPresent()) {
                        onCommit(0, List.of(new LedgerApp.TxResult(t.currentHash, codeOf(code.getAsInt()))));
                    } else if (!t.landed.isDone()) {
                        LOG.info("node {}: transaction not committed after {} ms, sending it again", t.nodeId,
                                resubmitAfter.toMillis());
                        TxBroadcaster.CheckResult r = rpc.broadcastSync(t.currentTx);
                        t.lastSent = System.nanoTime();
                        if (r.code() != 0 && !r.duplicate()) {
                            resubmit(t, codeOf(r.code()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("node {}: watchdog check failed: {}", t.nodeId, e.toString());
                } finally {
                    t.watching.set(false);
                }
            });
        }
    }

    private static TxCode codeOf(int code) {
        TxCode c = TxCode.fromCode(code);
        return c == null ? TxCode.UNSUPPORTED_VERSION : c;
    }

    /** Conflicts that a fresh attempt on the newer state resolves. */
    private static boolean retryable(int code, Tracked t) {
        if (code == TxCode.WRONG_SET.code() && t.request.setIdOverride() == null) {
            return true;
        }
        if (code == TxCode.SET_MISMATCH.code() && t.request.setIdOverride() == null) {
            return true; // Reorder moved the node since we read its set
        }
        if (code == TxCode.NODE_ID_REUSED.code() && t.request.nodeId() == 0 && t.attempts == 1) {
            // a random node id somebody else took before our first attempt: pick another
            t.nodeId = 0;
            return true;
        }
        return false;
    }

    /** One operation, across all its attempts. */
    private final class Tracked {
        final Request request;
        final SubmitMode mode;
        final long started = System.nanoTime();
        final CompletableFuture<SubmitResult> landed = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean();
        final byte[] secretCode;
        final byte[] secretHash;
        final byte[] refreshKey;
        final boolean recovered;
        int nodeId;
        int setId;
        int attempts;
        volatile String currentHash = "";
        volatile byte[] currentTx;
        volatile long lastSent;
        /** T_e so far: building, signing and CheckTx of every attempt. */
        volatile long verifyNanos;
        /** The set id each attempt (by transaction hash) carried: an older attempt may be the one that lands. */
        final Map<String, Integer> attemptSets = new ConcurrentHashMap<>();

        Tracked(Request request, SubmitMode mode) {
            this.request = request;
            this.mode = mode;
            this.nodeId = request.nodeId();
            this.recovered = false;
            this.refreshKey = new byte[ChangeRecord.REFRESH_KEY_SIZE];
            random.nextBytes(refreshKey);
            if (request.operation() == Operation.JOIN) {
                secretCode = SecretCode.generate(random);
                secretHash = request.secretHashOverride() != null ? request.secretHashOverride().clone()
                        : SecretCode.commitment(secretCode);
            } else {
                secretCode = null;
                secretHash = request.secretHashOverride();
            }
        }

        /** An operation taken over from the journal: its last attempt is resent as it was. */
        Tracked(LedgerTx tx) {
            ChangeRecord r = tx.record();
            this.request = new Request(r.operation(), r.nodeId(), null, r.secretCodeHash());
            this.mode = SubmitMode.SYNC;
            this.nodeId = r.nodeId();
            this.setId = r.setId();
            this.recovered = true;
            this.refreshKey = r.refreshKey();
            this.secretCode = null;
            this.secretHash = r.secretCodeHash();
            this.attempts = 1;
            this.currentTx = tx.encode();
            this.currentHash = Hex.encode(tx.hash()).toUpperCase();
            this.lastSent = System.nanoTime() - resubmitAfter.toNanos(); // the watchdog looks at it at once
        }

        /** Builds the next attempt on the current mempool state. Caller holds checkLock. */
        byte[] nextAttempt() {
            attempts++;
            // a fresh refresh key per attempt: otherwise a rebuilt attempt can be byte-identical to a refused
            // one, and the tx index (looked up by hash) answers with the old refusal
            random.nextBytes(refreshKey);
            ChangeRecord record;
            if (request.operation() == Operation.JOIN) {
                if (nodeId == 0) {
                    nodeId = freshNodeId();
                }
                setId = request.setIdOverride() != null ? request.setIdOverride()
                        : app.readCheckState(s -> Assignment.selectSet(s.layout(), gatewayId));
                record = new ChangeRecord(Operation.JOIN, nodeId, setId, secretHash, refreshKey);
            } else {
                Optional<NodeRecord> member = app.readCheckState(s -> s.member(nodeId))
                        .or(() -> app.readCommitted(s -> s.member(nodeId)));
                setId = request.setIdOverride() != null ? request.setIdOverride()
                        : member.map(NodeRecord::setId).orElse(0);
                byte[] hash = secretHash != null ? secretHash
                        : member.map(NodeRecord::secretCodeHash).orElse(new byte[ChangeRecord.HASH_SIZE]);
                record = new ChangeRecord(request.operation(), nodeId, setId, hash, refreshKey);
            }
            LedgerTx tx = LedgerTx.sign(record, gatewayId, null, key);
            currentTx = tx.encode();
            currentHash = Hex.encode(tx.hash()).toUpperCase();
            attemptSets.put(currentHash, setId);
            lastSent = System.nanoTime();
            return currentTx;
        }

        private int freshNodeId() {
            while (true) {
                int id = 1 + random.nextInt(Integer.MAX_VALUE - 1);
                if (!app.readCheckState(s -> s.nodeIdUsed(id))) {
                    return id;
                }
            }
        }

        byte[] currentHashBytes() {
            return Hex.decode(currentHash);
        }

        SubmitResult result(String status, int code, String log, long height) {
            double elapsed = (System.nanoTime() - started) / 1e6;
            return new SubmitResult(request.operation(), nodeId, setId, status, code, log, height, currentHash,
                    attempts, elapsed, timing(status, elapsed));
        }

        private OpTiming timing(String status, double elapsed) {
            double verify = verifyNanos / 1e6;
            return SubmitResult.COMMITTED.equals(status) && !recovered
                    ? new OpTiming(Double.NaN, verify, Math.max(0, elapsed - verify)) : OpTiming.verified(verify);
        }

        /** Committed as the attempt {@code hash}: its set and transaction, not necessarily the latest attempt's. */
        SubmitResult committedAs(String hash, long height) {
            Integer set = attemptSets.get(hash);
            double elapsed = (System.nanoTime() - started) / 1e6;
            return new SubmitResult(request.operation(), nodeId, set != null ? set : setId, SubmitResult.COMMITTED, 0, "",
                    height, hash, attempts, elapsed, timing(SubmitResult.COMMITTED, elapsed));
        }

        void finish(SubmitResult r) {
            if (landed.complete(r)) {
                tracked.values().removeIf(x -> x == this);
                if (journal != null && mode == SubmitMode.SYNC) {
                    try {
                        journal.done(nodeId);
                    } catch (IOException e) {
                        LOG.warn("cannot record in the journal that node {} landed: {}", nodeId, e.toString());
                    }
                }
                if (!r.committed()) {
                    LOG.warn("{} of node {} refused for good: code {} {}", request.operation(), nodeId, r.code(), r.log());
                }
            }
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
