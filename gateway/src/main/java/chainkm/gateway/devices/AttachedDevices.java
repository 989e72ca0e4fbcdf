package chainkm.gateway.devices;

import chainkm.gateway.keys.RekeyPublisher;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices attached to this gateway whose sets another gateway owns (they rejoined here
 * after losing their gateway, or were moved here). Their keys stay the owner's business: after
 * every committed operation this gateway fetches the owner's sealed, signed messages for each of
 * them ({@code GET /relay}) and publishes them on the device's node topic on its own broker; a
 * device's catch-up is answered the same way. When the owner is down, the device keeps its keys
 * and gets what it missed when the owner is back.
 */
public final class AttachedDevices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttachedDevices.class);
    /** How long a rejoin accepted in CheckTx counts as an attachment before its block shows it. */
    private static final long PENDING_MS = 60_000;
    private static final int CACHE_PER_NODE = 4096;

    /** Who owns a node's set now, and which nodes the committed ledger attaches here. */
    public interface Ledger {
        /** The owner gateway of the node's set, or -1 if the node is not a member. */
        int ownerOf(int nodeId);

        /** Members the committed ledger says are attached to this gateway. */
        Set<Integer> attachedHere();

        /** The gateway the committed ledger attaches a node to, or -1 if it is not a member. */
        int attachedGatewayOf(int nodeId);
    }

    private final int gatewayId;
    private final Ledger ledger;
    private final LongSupplier currentSeq;
    private final IntFunction<? extends OwnerGateway> peers;
    private final RekeyPublisher publisher;
    private final Map<Integer, Long> pendingSince = new ConcurrentHashMap<>();
    private final Map<Integer, Long> relayedUpTo = new ConcurrentHashMap<>();
    private final Map<Integer, TreeMap<Long, byte[]>> cache = new HashMap<>();
    /** Owners that did not answer lately: their devices' catch-ups are answered from the cache at once. */
    private final Map<Integer, Long> ownerSilentUntil = new ConcurrentHashMap<>();
    private static final long SILENT_MS = 10_000;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay");
        t.setDaemon(true);
        return t;
    });

    public AttachedDevices(int gatewayId, Ledger ledger, LongSupplier currentSeq, IntFunction<? extends OwnerGateway> peers,
                           RekeyPublisher publisher) {
        this.gatewayId = gatewayId;
        this.ledger = ledger;
        this.currentSeq = currentSeq;
        this.peers = peers;
        this.publisher = publisher;
        // the owner may be down or lag behind: keep trying for devices that are behind
        worker.scheduleWithFixedDelay(this::pumpAll, 1, 1, TimeUnit.SECONDS);
    }

    /** A rejoin was accepted here for {@code nodeId}, which has applied everything up to {@code epoch}. */
    public void attach(int nodeId, long epoch) {
        pendingSince.put(nodeId, System.currentTimeMillis());
        relayedUpTo.merge(nodeId, epoch, Math::max);
        worker.execute(this::pumpAll);
    }

    /** Called after every block: relay what the owners made for our foreign devices. */
    public void onCommit() {
        worker.execute(this::pumpAll);
        // the owner may not have made its messages yet: look again shortly
        for (long ms : new long[] {50, 150, 400}) {
            worker.schedule(this::pumpAll, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Nodes attached here, the committed ones and those whose rejoin is still in a block to come. */
    public Set<Integer> attached() {
        Set<Integer> all = new TreeSet<>(ledger.attachedHere());
        long now = System.currentTimeMillis();
        pendingSince.entrySet().removeIf(e -> all.contains(e.getKey()) || now - e.getValue() > PENDING_MS);
        all.addAll(pendingSince.keySet());
        return all;
    }

    public boolean isAttached(int nodeId) {
        if (ledger.attachedGatewayOf(nodeId) == gatewayId) {
            return true;
        }
        Long since = pendingSince.get(nodeId);
        return since != null && System.currentTimeMillis() - since <= PENDING_MS;
    }

    /** The messages for {@code nodeId} above {@code afterSeq}: from its owner, or what was relayed before if it is down. */
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws IOException {
        int owner = ledger.ownerOf(nodeId);
        if (owner < 0) {
            throw new IOException("node " + nodeId + " is not a member");
        }
        try {
            if (ownerSilentUntil.getOrDefault(owner, 0L) > System.currentTimeMillis()) {
                throw new IOException("it did not answer in the last " + SILENT_MS / 1000 + " s");
            }
            List<byte[]> fresh = peers.apply(owner).relay(nodeId, afterSeq);
            ownerSilentUntil.remove(owner);
            remember(nodeId, fresh);
            return fresh;
        } catch (IOException | RuntimeException e) {
            ownerSilentUntil.putIfAbsent(owner, System.currentTimeMillis() + SILENT_MS);
            List<byte[]> cached;
            synchronized (cache) {
                cached = new ArrayList<>(cache.getOrDefault(nodeId, new TreeMap<>()).tailMap(afterSeq, false).values());
            }
            LOG.info("owner gateway {} of node {} unreachable ({}); answering its catch-up from {} relayed messages",
                    owner, nodeId, e.getMessage(), cached.size());
            return cached;
        }
    }

    private void pumpAll() {
        try {
            long seq = currentSeq.getAsLong();
            for (int node : attached()) {
                int owner = ledger.ownerOf(node);
                if (owner < 0 || owner == gatewayId) {
                    relayedUpTo.remove(node);
                    continue;
                }
                long upTo = relayedUpTo.getOrDefault(node, seq);
                relayedUpTo.putIfAbsent(node, upTo);
                if (upTo >= seq) {
                    continue;
                }
                pump(node, owner, upTo);
            }
            relayedUpTo.keySet().retainAll(attached());
        } catch (RuntimeException e) {
            LOG.warn("relay pass failed: {}", e.toString());
        }
    }

    private void pump(int node, int owner, long after) {
        if (ownerSilentUntil.getOrDefault(owner, 0L) > System.currentTimeMillis()) {
            return; // retried when the silence is over
        }
        List<byte[]> messages;
        try {
            messages = peers.apply(owner).relay(node, after);
        } catch (IOException | RuntimeException e) {
            LOG.debug("relay for node {} from gateway {} failed: {}", node, owner, e.getMessage());
            ownerSilentUntil.put(owner, System.currentTimeMillis() + SILENT_MS);
            return;
        }
        ownerSilentUntil.remove(owner);
        long last = after;
        for (byte[] m : messages) {
            try {
                publisher.publish(Topics.node(node), m);
                last = Math.max(last, RekeyMessage.decode(m).seq());
            } catch (MessageFormatException | RuntimeException e) {
                LOG.warn("could not relay a message for node {}: {}", node, e.toString());
                break;
            }
        }
        remember(node, messages);
        relayedUpTo.put(node, last);
        if (!messages.isEmpty()) {
            LOG.info("relayed {} messages from gateway {} to node {} (now at seq {})", messages.size(), owner, node, last);
        }
    }

    private void remember(int node, List<byte[]> messages) {
        synchronized (cache) {
            TreeMap<Long, byte[]> c = cache.computeIfAbsent(node, k -> new TreeMap<>());
            for (byte[] m : messages) {
                try {
                    c.put(RekeyMessage.decode(m).seq(), m);
                } catch (MessageFormatException e) {
                    return;
                }
            }
            while (c.size() > CACHE_PER_NODE) {
                c.pollFirstEntry();
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
