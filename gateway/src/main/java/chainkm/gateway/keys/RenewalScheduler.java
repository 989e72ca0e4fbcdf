package chainkm.gateway.keys;

import chainkm.gateway.submit.SubmitResult;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the cryptoperiods of this gateway's sets: at each committed block (a round), if no renewal
 * of its own is under way, it asks the key manager for its oldest set that is due and submits
 * that set's RENEW. One key operation per gateway and round, and never more than one in flight:
 * the next waits until the previous has landed and the key manager has applied it, so a gateway
 * with many due sets renews them one after another, never all its devices at once.
 */
public final class RenewalScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RenewalScheduler.class);
    /** Blocks to wait after a refused renewal before trying again (the ledger's own rate limit). */
    static final long BACKOFF_BLOCKS = 10;

    /** The set due at a height, if any ({@link KeyManager#renewalDue}). */
    public interface Planner {
        Optional<Integer> due(long height);
    }

    /** Submits set {@code set}'s RENEW; completes when it landed (committed or refused for good). */
    public interface Renewer {
        CompletableFuture<SubmitResult> renew(int set) throws Exception;
    }

    private final Planner planner;
    private final IntToLongFunction renewedAt;
    private final Renewer renewer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "renewal-scheduler");
        t.setDaemon(true);
        return t;
    });
    private int pendingSet = -1;
    private CompletableFuture<SubmitResult> pending;
    private long notBefore;

    /**
     * @param renewedAt the height at which the key manager last renewed a set (to know it applied ours)
     */
    public RenewalScheduler(Planner planner, IntToLongFunction renewedAt, Renewer renewer) {
        this.planner = planner;
        this.renewedAt = renewedAt;
        this.renewer = renewer;
    }

    /** Called on each commit: the round runs on the scheduler's own thread, off the consensus connection. */
    public void committed(long height) {
        worker.execute(() -> round(height));
    }

    /** One round at block {@code height}; returns the set submitted, or -1. */
    synchronized int round(long height) {
        if (pending != null) {
            if (!pending.isDone()) {
                return -1;
            }
            SubmitResult r = pending.getNow(null);
            if (r != null && r.committed()) {
                if (renewedAt.applyAsLong(pendingSet) < r.height()) {
                    return -1; // committed, not yet applied by the key manager
                }
                LOG.info("set {} renewed at height {}", pendingSet, r.height());
            } else {
                LOG.warn("renewal of set {} not committed ({}): trying again in {} blocks", pendingSet,
                        r == null ? "failed" : "code " + r.code() + " " + r.log(), BACKOFF_BLOCKS);
                notBefore = height + BACKOFF_BLOCKS;
            }
            pending = null;
            pendingSet = -1;
        }
        if (height < notBefore) {
            return -1;
        }
        Optional<Integer> due = planner.due(height);
        if (due.isEmpty()) {
            return -1;
        }
        int set = due.get();
        try {
            pending = renewer.renew(set);
            pendingSet = set;
            LOG.info("keys of set {} are due for renewal at height {}: RENEW submitted", set, height);
            return set;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("could not submit the renewal of set {}: {}", set, e.toString());
            notBefore = height + BACKOFF_BLOCKS;
        }
        return -1;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
