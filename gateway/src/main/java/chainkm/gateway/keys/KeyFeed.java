package chainkm.gateway.keys;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the ledger's committed operations, in order, to the {@link KeyManager} on one thread
 * of its own (never on CometBFT's consensus connection), and publishes the rekey messages.
 * At start it replays the whole committed ledger without publishing: the key manager's state
 * is a function of the ledger and the gateway's secrets.
 */
public final class KeyFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyFeed.class);

    private final LedgerApp ledger;
    private final KeyManager keys;
    private final RekeyPublisher publisher;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "key-feed");
        t.setDaemon(true);
        return t;
    });

    /** Told how long the key manager spent on each operation it applied live (T_k; not the replay at start). */
    public interface AppliedListener {
        void applied(RefreshEntry entry, long nanos);
    }

    private final List<AppliedListener> appliedListeners = new CopyOnWriteArrayList<>();

    public KeyFeed(LedgerApp ledger, KeyManager keys, RekeyPublisher publisher) {
        this.ledger = ledger;
        this.keys = keys;
        this.publisher = publisher;
        int replayed = catchUpWithLedger(false);
        LOG.info("key manager rebuilt from {} ledger operations", replayed);
        ledger.addCommitListener((height, results) -> worker.execute(() -> catchUpWithLedger(true)));
    }

    /** An operation to apply, with the commitment the ledger recorded for a join (null if its node is gone). */
    private record Next(RefreshEntry entry, byte[] commitment) {}

    private int catchUpWithLedger(boolean publish) {
        List<Next> entries;
        synchronized (keys) {
            entries = ledger.readCommitted(s -> {
                keys.removals(s.removals()); // what adopters prove to devices; read with the entries they cover
                List<Next> next = new ArrayList<>();
                for (RefreshEntry e : s.refreshEntriesFrom((int) keys.seq())) {
                    byte[] commitment = e.operation() != Operation.JOIN ? null
                            : s.member(e.nodeId()).map(NodeRecord::secretCodeHash).orElse(null);
                    next.add(new Next(e, commitment));
                }
                return next;
            });
        }
        for (Next n : entries) {
            RefreshEntry e = n.entry();
            long started = System.nanoTime();
            List<KeyManager.Outgoing> out;
            synchronized (keys) {
                out = keys.apply(e, n.commitment());
            }
            if (publish) {
                for (KeyManager.Outgoing o : out) {
                    try {
                        publisher.publish(o.topic(), o.message());
                    } catch (RuntimeException ex) {
                        // devices notice the gap by the next seq and fetch what they missed over CoAP
                        LOG.warn("could not publish on {}: {}", o.topic(), ex.toString());
                    }
                }
                long nanos = System.nanoTime() - started;
                appliedListeners.forEach(l -> l.applied(e, nanos));
            }
        }
        return entries.size();
    }

    public void addAppliedListener(AppliedListener listener) {
        appliedListeners.add(listener);
    }

    /** Runs {@code reader} on the key manager's current state. */
    public <T> T read(Function<KeyManager, T> reader) {
        synchronized (keys) {
            return reader.apply(keys);
        }
    }

    /**
     * Waits until the key manager has the newcomer's join bundle (its join is committed and
     * processed): the key manager completes the waiter when it applies the join.
     */
    public Optional<JoinBundle> awaitBundle(int nodeId, Duration timeout) throws InterruptedException {
        CompletableFuture<JoinBundle> waiter;
        synchronized (keys) {
            waiter = keys.joinBundle(nodeId);
        }
        if (!waiter.isDone()) {
            // the join is committed: make sure the feed looks, in case it started after that commit's signal
            worker.execute(() -> catchUpWithLedger(true));
        }
        try {
            return Optional.of(waiter.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException | ExecutionException e) {
            synchronized (keys) {
                keys.stopWaiting(nodeId, waiter);
            }
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
