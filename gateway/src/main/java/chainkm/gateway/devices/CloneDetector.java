package chainkm.gateway.devices;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitResult;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catches a node identity used twice. A device that moved or rejoined elsewhere stops talking to
 * this gateway before its REJOIN is even submitted, so a request under its identity here after
 * the ledger attached it to another gateway (plus a grace for requests in flight) comes from a
 * second copy of the device; the {@link ClonePolicy} says what follows.
 */
final class CloneDetector {
    private static final Logger LOG = LoggerFactory.getLogger(CloneDetector.class);
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Submits the EVICT of a suspected clone (commit mode). */
    interface Evictor {
        SubmitResult evict(int nodeId) throws IOException, InterruptedException;
    }

    private final LedgerApp ledger;
    private final int gatewayId;
    private final Evictor evictor;
    private volatile ClonePolicy policy = ClonePolicy.EVICT;
    private final Set<Integer> blocked = ConcurrentHashMap.newKeySet();
    private final AtomicLong detected = new AtomicLong();
    private final Map<Integer, Long> attachedElsewhereSince = new ConcurrentHashMap<>();

    CloneDetector(LedgerApp ledger, int gatewayId, Evictor evictor) {
        this.ledger = ledger;
        this.gatewayId = gatewayId;
        this.evictor = evictor;
    }

    void policy(ClonePolicy policy) {
        this.policy = policy;
    }

    /** Called after every commit: notes when each node of this gateway's sets was first seen attached to another gateway. */
    void onCommit() {
        long now = System.nanoTime();
        Map<Integer, Integer> elsewhere = ledger.readCommitted(st -> {
            Map<Integer, Integer> out = new HashMap<>();
            st.members().values().forEach(m -> {
                if (m.attachedGateway() != gatewayId && st.layout().ownerOf(m.setId()) == gatewayId) {
                    out.put(m.nodeId(), m.attachedGateway());
                }
            });
            return out;
        });
        attachedElsewhereSince.keySet().retainAll(elsewhere.keySet());
        elsewhere.keySet().forEach(n -> attachedElsewhereSince.putIfAbsent(n, now));
    }

    /** Refuses a request of {@code node} here when the ledger has attached it to another gateway for longer than the grace. */
    void check(int node, AttachedDevices attached) throws DeviceServiceException {
        Long since = attachedElsewhereSince.get(node);
        if (since == null || (attached != null && attached.isAttached(node))) {
            return;
        }
        if (System.nanoTime() - since > GRACE_NANOS) {
            detected(node, "its identity here while the ledger attaches it to another gateway");
            throw new DeviceServiceException("node " + node + " is attached to another gateway: suspected clone");
        }
    }

    /** True when the policy blocked the node here. */
    boolean isBlocked(int node) {
        return blocked.contains(node);
    }

    /** How many times this gateway caught a node identity used twice. */
    long detected() {
        return detected.get();
    }

    private void detected(int node, String how) {
        detected.incrementAndGet();
        ClonePolicy p = policy;
        LOG.warn("CLONE suspected: node {} presented {}; policy {}", node, how, p.name().toLowerCase(Locale.ROOT));
        switch (p) {
            case BLOCK -> blocked.add(node);
            case EVICT -> startDaemon("evict-clone-" + node, () -> {
                try {
                    SubmitResult r = evictor.evict(node);
                    LOG.warn("node {} evicted as a suspected clone: {} (height {})", node, r.status(), r.height());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("evicting suspected clone node {} failed: {}", node, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            case LOG -> { }
        }
    }

    private static void startDaemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
