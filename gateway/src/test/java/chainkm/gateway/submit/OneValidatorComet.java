package chainkm.gateway.submit;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.LedgerState;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import com.google.protobuf.ByteString;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.ResponseCheckTx;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * A one-validator CometBFT in miniature, for the submitter's tests: a mempool in front of a real
 * {@link LedgerApp}, blocks made when the test says so (or at once for broadcast_tx_commit),
 * RECHECK of what is left after every block, and a tx index for {@code committedCode}.
 * Everything runs under this object's lock, as one node would serialise it.
 */
public final class OneValidatorComet implements TxBroadcaster {
    /** What a committed block said about one transaction. */
    record Result(int code, String log, long height) {}

    private final LedgerApp app;
    private final List<byte[]> mempool = new ArrayList<>();
    /** The tx index: survives a restart of the node (see {@link #restartedWith}). */
    private final Map<String, Result> index;
    private final Map<String, Integer> broadcasts = new HashMap<>();
    private boolean dropNext;
    private boolean holding;
    private int held;

    public OneValidatorComet(LedgerApp app) {
        this(app, new HashMap<>());
    }

    private OneValidatorComet(LedgerApp app, Map<String, Result> index) {
        this.app = app;
        this.index = index;
    }

    /** The same chain after a restart of node and gateway: the block store is kept, the mempool is not. */
    synchronized OneValidatorComet restartedWith(LedgerApp restartedApp) {
        return new OneValidatorComet(restartedApp, new HashMap<>(index));
    }

    static String hash(byte[] tx) {
        return Hex.encode(Sha256.hash(tx)).toUpperCase();
    }

    // --- TxBroadcaster -------------------------------------------------------------------

    @Override
    public synchronized CheckResult broadcastSync(byte[] tx) throws InterruptedIOException {
        awaitRelease();
        String h = hash(tx);
        broadcasts.merge(h, 1, Integer::sum);
        if (inMempool(tx)) {
            return new CheckResult(0, "already in the mempool cache", true);
        }
        ResponseCheckTx r = checkTx(tx, CheckTxType.NEW);
        if (r.getCode() == 0) {
            if (dropNext) {
                dropNext = false; // accepted, then lost: never reaches a block
            } else {
                mempool.add(tx);
                notifyAll();
            }
        }
        return new CheckResult(r.getCode(), r.getLog(), false);
    }

    @Override
    public synchronized CommitResult broadcastCommit(byte[] tx) throws InterruptedIOException {
        awaitRelease();
        String h = hash(tx);
        broadcasts.merge(h, 1, Integer::sum);
        ResponseCheckTx r = checkTx(tx, CheckTxType.NEW);
        if (r.getCode() != 0) {
            return new CommitResult(r.getCode(), r.getLog(), 0, "", 0);
        }
        mempool.add(tx);
        makeBlock();
        Result res = index.get(h);
        return new CommitResult(0, "", res.code(), res.log(), res.height());
    }

    @Override
    public synchronized OptionalInt committedCode(byte[] txHash) {
        Result r = index.get(Hex.encode(txHash).toUpperCase());
        return r == null ? OptionalInt.empty() : OptionalInt.of(r.code());
    }

    // --- what the test drives ------------------------------------------------------------

    /**
     * Broadcasts wait from now on until {@link #releaseBroadcasts()}, as CometBFT's RPC waits
     * while its mempool is locked for a block's Commit and the RECHECK that follows.
     */
    synchronized void holdBroadcasts() {
        holding = true;
    }

    synchronized void releaseBroadcasts() {
        holding = false;
        notifyAll();
    }

    /** Waits until {@code n} broadcasts are waiting for {@link #releaseBroadcasts()}; false after {@code timeout}. */
    synchronized boolean awaitHeldBroadcasts(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (held < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void awaitRelease() throws InterruptedIOException {
        held++;
        notifyAll();
        try {
            while (holding) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while CometBFT held broadcasts");
        } finally {
            held--;
        }
    }

    /** The next transaction that passes CheckTx is acknowledged but silently lost. */
    synchronized void dropNext() {
        dropNext = true;
    }

    /** A block of everything in the mempool, in order, then RECHECK of what is left. */
    synchronized long makeBlock() {
        return block(new ArrayList<>(mempool));
    }

    /** A block of exactly these transactions (any order, even ones not in the mempool), then RECHECK. */
    synchronized long block(List<byte[]> txs) {
        long height = commitBlock(txs);
        recheck();
        return height;
    }

    /** FinalizeBlock and Commit of these transactions, removing them from the mempool; no RECHECK. */
    synchronized long commitBlock(List<byte[]> txs) {
        long height = app.readCommitted(LedgerState::height) + 1;
        RequestFinalizeBlock.Builder b = RequestFinalizeBlock.newBuilder().setHeight(height);
        txs.forEach(tx -> b.addTxs(ByteString.copyFrom(tx)));
        ResponseFinalizeBlock r = app.finalizeBlock(b.build());
        for (int i = 0; i < txs.size(); i++) {
            index.putIfAbsent(hash(txs.get(i)), new Result(r.getTxResults(i).getCode(), r.getTxResults(i).getLog(), height));
        }
        for (byte[] tx : txs) {
            mempool.removeIf(m -> Arrays.equals(m, tx));
        }
        app.commit(RequestCommit.getDefaultInstance());
        return height;
    }

    /** CometBFT's RECHECK after a commit: what is now refused leaves the mempool. */
    synchronized void recheck() {
        mempool.removeIf(tx -> checkTx(tx, CheckTxType.RECHECK).getCode() != 0);
    }

    synchronized List<byte[]> mempool() {
        return List.copyOf(mempool);
    }

    synchronized Result result(byte[] tx) {
        return index.get(hash(tx));
    }

    synchronized int broadcastsOf(String txHash) {
        return broadcasts.getOrDefault(txHash, 0);
    }

    public synchronized int totalBroadcasts() {
        return broadcasts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Waits until the mempool holds {@code n} transactions; returns them. */
    synchronized List<byte[]> awaitMempool(int n, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (mempool.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("mempool holds " + mempool.size() + " transactions, expected " + n);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(mempool);
    }

    private boolean inMempool(byte[] tx) {
        return mempool.stream().anyMatch(m -> Arrays.equals(m, tx));
    }

    private ResponseCheckTx checkTx(byte[] tx, CheckTxType type) {
        return app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx)).setType(type).build());
    }
}
