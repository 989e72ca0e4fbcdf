package chainkm.gateway.keys;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.RefreshEntry;
import chainkm.protocol.rekey.JoinBundle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

    private final List<AppliedListener> appliedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public KeyFeed(LedgerApp ledger, KeyManager keys, RekeyPublisher publisher) {
        this.ledger = ledger;
        this.keys = keys;
        this.publisher = publisher;
        int replayed = catchUpWithLedger(false);
        LOG.info("key manager rebuilt from {} ledger operations", replayed);
        ledger.addCommitListener((height, results) -> worker.execute(() -> catchUpWithLedger(true)));
    }

    private int catchUpWithLedger(boolean publish) {
        List<RefreshEntry> entries;
        synchronized (keys) {
            entries = ledger.readCommitted(s -> s.refreshEntriesFrom((int) keys.seq()));
        }
        for (RefreshEntry e : entries) {
            long started = System.nanoTime();
            List<KeyManager.Outgoing> out;
            synchronized (keys) {
                out = keys.apply(e);
                keys.notifyAll();
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

    /** Waits until the key manager has the newcomer's join bundle (its join is committed and processed). */
    public Optional<JoinBundle> awaitBundle(int nodeId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (keys) {
            while (true) {
                Optional<JoinBundle> b = keys.bundle(nodeId);
                long left = deadline - System.nanoTime();
                if (b.isPresent() || left <= 0) {
                    return b;
                }
                worker.execute(() -> catchUpWithLedger(true));
                keys.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
