package chainkm.gateway.keys;

import chainkm.gateway.ledger.RefreshEntry;
import chainkm.gateway.ledger.RemovalEntry;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.sets.SetLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import chainkm.protocol.ledger.Operation;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layer 1 of the key management paper on one gateway: follows the ledger's accepted
 * operations in order (operation {@code seq} = its position in the ledger, 1, 2, ...) and,
 * for the sets this gateway owns, keeps the set keys and pairwise set keys ({@link HeldKeys}),
 * and runs each operation's rekey plan: {@link JoinRekeyPlan}, {@link DepartureRekeyPlan}
 * (leave, evict), {@link AdoptionRekeyPlan} (after REMOVE_GATEWAY) or {@link RenewRekeyPlan} (RENEW). The plans make the rekey
 * messages that bring every one of its devices to {@code seq}, and a newcomer's join bundle.
 *
 * <p>A joining device's request waits for its bundle on {@link #joinBundle}, a future this class
 * completes when it applies the join. The bundle carries the device's commitment as the ledger
 * recorded it, when the caller passes it to {@link #apply(RefreshEntry, byte[])}.
 *
 * <p>What it sent is kept in a {@link RekeyArchive} bounded by {@link RekeyArchive.Limits} (by
 * default 100,000 operations or 64 MiB), and served again to a device that catches up and to
 * the gateways that relay for it. A catch-up that starts at or below the archive's horizon (the
 * device slept through more than the archive holds) gets one full-state NODE message instead,
 * like an adoption's: WIPE, the device's set, node key, set key, pairwise node and set keys as
 * they are at the current seq, under its node key. It brings the device to the ledger's state
 * in one step; the device accepts a full-state NODE message after a gap. A retried join whose
 * bundle left the archive likewise gets a bundle of the member's keys at the current seq.
 *
 * <p>Not thread-safe: {@link KeyFeed} calls it from one thread and reads it under its lock.
 */
public final class KeyManager {
    private static final Logger LOG = LoggerFactory.getLogger(KeyManager.class);

    private final HeldKeys keys;
    private final Ed25519.KeyPair signer;
    private final RekeyArchive archive;
    private final RenewalAges ages = new RenewalAges();
    /** The commitments of this gateway's members, for the bundles it rebuilds. */
    private final Map<Integer, byte[]> commitments = new HashMap<>();
    private final Map<Integer, CompletableFuture<JoinBundle>> waiting = new HashMap<>();
    private long seq;
    private RefreshEntry last;
    /** Every committed gateway removal known so far, in ledger order: the proofs full-state messages carry. */
    private List<RemovalEntry> removals = List.of();

    /** A message to publish: the MQTT topic and the encoded {@link RekeyMessage}. */
    public record Outgoing(String topic, byte[] message) {}

    public KeyManager(int gatewayId, GatewaySecrets secrets, Ed25519.KeyPair signer) {
        this(gatewayId, secrets, signer, RekeyArchive.Limits.DEFAULT);
    }

    public KeyManager(int gatewayId, GatewaySecrets secrets, Ed25519.KeyPair signer, RekeyArchive.Limits archiveLimits) {
        this.keys = new HeldKeys(gatewayId, secrets);
        this.signer = signer;
        this.archive = new RekeyArchive(archiveLimits);
    }

    public long seq() {
        return seq;
    }

    public SetLayout layout() {
        return keys.layout();
    }

    /** True when the node is a member of a set this gateway owns (so this gateway holds its node key). */
    public boolean isOwnNode(int nodeId) {
        return keys.isOwnNode(nodeId);
    }

    public byte[] nodeKey(int nodeId) {
        return keys.nodeKey(nodeId);
    }

    /**
     * The join bundle of node {@code nodeId}: the one made at its join while the archive keeps
     * it, else, for a member of this gateway's sets, its keys at the current seq.
     */
    public Optional<JoinBundle> bundle(int nodeId) {
        Optional<JoinBundle> made = archive.bundle(nodeId);
        if (made.isPresent() || !keys.isOwnNode(nodeId)) {
            return made;
        }
        int set = keys.layout().setOf(nodeId).getAsInt();
        return Optional.of(keys.bundle(nodeId, set, seq, commitments.get(nodeId)));
    }

    /**
     * The join bundle of node {@code nodeId}, completed when its join is applied here (at once if
     * it was). Never completed if its set is another gateway's; a caller that gives up calls
     * {@link #stopWaiting}.
     */
    public CompletableFuture<JoinBundle> joinBundle(int nodeId) {
        Optional<JoinBundle> b = bundle(nodeId);
        if (b.isPresent()) {
            return CompletableFuture.completedFuture(b.get());
        }
        if (keys.layout().isMember(nodeId)) {
            return new CompletableFuture<>(); // joined through another gateway: its bundle is not made here
        }
        return waiting.computeIfAbsent(nodeId, k -> new CompletableFuture<>());
    }

    /** Forgets a waiter that gave up. */
    public void stopWaiting(int nodeId, CompletableFuture<JoinBundle> waiter) {
        waiting.remove(nodeId, waiter);
    }

    /** Identifiers of every link key this gateway holds (for inventories; never key bytes). */
    public SortedSet<KeyId> heldKeyIds() {
        return keys.heldKeyIds();
    }

    /**
     * Identifiers of the keys device {@code nodeId} holds by this gateway's account (it must be
     * one of this gateway's devices): its node key, its set key, a pairwise node key with each
     * member of its set and a pairwise set key with each other set.
     */
    public SortedSet<KeyId> deviceKeyIds(int nodeId) {
        return keys.deviceKeyIds(nodeId);
    }

    /**
     * The messages that bring node {@code nodeId} from {@code afterSeq} to the current seq, in
     * order: for each operation its NODE message if it has one, else its set's SET message. If
     * some of them have left the archive, one full-state NODE message at the current seq instead.
     */
    public List<byte[]> catchUp(int nodeId, long afterSeq) {
        Optional<Long> first = archive.firstSeq(nodeId);
        if (first.isEmpty()) {
            return new ArrayList<>();
        }
        long from = Math.max(afterSeq, first.get());
        OptionalInt set = keys.layout().setOf(nodeId);
        if (from < archive.horizon() && set.isPresent() && keys.owns(set.getAsInt())) {
            LOG.info("catch-up of node {} after seq {} reaches below the rekey archive (it keeps seqs above {}): "
                    + "answering with its full state at seq {}", nodeId, afterSeq, archive.horizon(), seq);
            List<byte[]> out = new ArrayList<>();
            out.add(RekeyOutbox.sealForNode(keys, signer, last, seq, nodeId, keys.fullState(nodeId, set.getAsInt(), true),
                    proofsUpTo(last)));
            return out;
        }
        return archive.messages(nodeId, from, seq);
    }

    /**
     * The committed gateway removals, in ledger order (the ledger's list so far; it only grows).
     * A full-state message carries those up to its operation, so a message sealed again after a
     * restart is the same.
     */
    public void removals(List<RemovalEntry> committed) {
        removals = List.copyOf(committed);
    }

    /** The encoded removals at or before {@code e} in the ledger. */
    private List<byte[]> proofsUpTo(RefreshEntry e) {
        List<byte[]> out = new ArrayList<>();
        if (e != null) {
            for (RemovalEntry r : removals) {
                if (r.atOrBefore(e.height(), e.index())) {
                    out.add(r.tx());
                }
            }
        }
        return out;
    }

    /** Applies the next accepted operation; returns what to publish. */
    public List<Outgoing> apply(RefreshEntry e) {
        return apply(e, null);
    }

    /**
     * Applies the next accepted operation; for a join, {@code commitment} is the device's
     * commitment the ledger recorded, for its bundle (null: not known, zeros in the bundle).
     */
    public List<Outgoing> apply(RefreshEntry e, byte[] commitment) {
        long s = seq + 1;
        RekeyOutbox out = new RekeyOutbox(keys, signer, archive, e, s, proofsUpTo(e));
        switch (e.operation()) {
            case JOIN -> {
                Optional<JoinBundle> bundle = JoinRekeyPlan.apply(keys, archive, out, e, s, commitment);
                bundle.ifPresent(b -> {
                    archive.bundle(b);
                    if (commitment != null) {
                        commitments.put(e.nodeId(), commitment.clone());
                    }
                });
                CompletableFuture<JoinBundle> waiter = waiting.remove(e.nodeId());
                if (waiter != null) {
                    bundle.ifPresent(waiter::complete);
                }
            }
            case REMOVE_GATEWAY -> {
                AdoptionRekeyPlan.apply(keys, archive, out, e, s);
                if (e.nodeId() == keys.gatewayId()) {
                    commitments.clear();
                }
            }
            case RENEW -> RenewRekeyPlan.apply(keys, archive, out, e, s);
            default -> {
                DepartureRekeyPlan.apply(keys, archive, out, e, s);
                commitments.remove(e.nodeId());
                keys.forgetNode(e.nodeId());
            }
        }
        ages.update(ownedSets(), e.operation() == Operation.RENEW ? e.setId() : -1, e.height(), s);
        seq = s;
        last = e;
        archive.prune();
        return out.messages();
    }

    private Set<Integer> ownedSets() {
        Set<Integer> owned = new TreeSet<>();
        for (int set : keys.layout().setIds()) {
            if (keys.owns(set)) {
                owned.add(set);
            }
        }
        return owned;
    }

    /**
     * The set of this gateway whose keys are oldest, if its cryptoperiod is over at block
     * {@code height}: at least {@code afterBlocks} blocks or {@code afterOps} ledger operations
     * since it last got all-fresh keys (0 disables a bound). What the renewal scheduler submits.
     */
    public Optional<Integer> renewalDue(long height, long afterBlocks, long afterOps) {
        return ages.due(height, seq, afterBlocks, afterOps);
    }

    /** The block height at which set {@code set} of this gateway last got all-fresh keys (-1: not one of its sets). */
    public long renewedAtHeight(int set) {
        return ages.of(set).map(RenewalAges.Age::height).orElse(-1L);
    }

    /** Every key member {@code nodeId} of this gateway's sets holds now, at the current seq (tests, benches). */
    JoinBundle currentKeys(int nodeId) {
        return keys.bundle(nodeId, keys.layout().setOf(nodeId).getAsInt(), seq, null);
    }

    RekeyArchive archive() {
        return archive;
    }
}
