package chainkm.device.keys;

import chainkm.device.store.EditableKeyStore;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.RekeyMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's keys and how they change: installs its join bundle, and applies rekey messages
 * strictly in ledger order, each one all or nothing. Refuses, with a log line and no change,
 * anything not signed by the owner gateway of its set ({@link Ownership}: an ownership change
 * only with proof that the consortium removed the owner), not for this device, replayed,
 * tampered or under a key it does not have. Keeps a replaced key's previous value for a short
 * grace period when the gateway allows it (join roll-forwards), so messages in flight are not
 * lost, but never a value a leaver knew.
 */
public final class DeviceKeys {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceKeys.class);
    public static final String NODE_ID = "node-id";
    public static final String SET_ID = "set-id";
    public static final String GATEWAY_ID = "gateway-id";

    public enum Outcome { APPLIED, DUPLICATE, GAP, NOT_MINE, REFUSED }

    public record Result(Outcome outcome, long seq, String reason) {}

    private record Previous(KeyMaterial key, long expiresAtMillis) {}

    private final EditableKeyStore store;
    private final Map<Integer, byte[]> trustAnchors;
    private final Duration grace;
    private final Clock clock;
    private final Map<KeyId, Previous> previous = new HashMap<>();
    private final RefusalLog refusals;

    /**
     * @param trustAnchors the Ed25519 public keys of the consortium's gateways, by gateway id
     */
    public DeviceKeys(EditableKeyStore store, Map<Integer, byte[]> trustAnchors, Duration grace, Clock clock) {
        this.store = store;
        this.trustAnchors = Map.copyOf(trustAnchors);
        this.grace = grace;
        this.clock = clock;
        this.refusals = new RefusalLog(LOG, clock, 20);
    }

    private volatile int attachmentGateway;
    private volatile byte[] attachmentKey;

    /** The gateway this device rejoined and the key it got there (see {@code Rejoin.Answer}). */
    public void attachment(int gatewayId, byte[] key) {
        attachmentGateway = gatewayId;
        attachmentKey = key == null ? null : key.clone();
    }

    public boolean joined() {
        return store.counter(NODE_ID) != 0;
    }

    public int nodeId() {
        return (int) store.counter(NODE_ID);
    }

    public int setId() {
        return (int) store.counter(SET_ID);
    }

    public int gatewayId() {
        return (int) store.counter(GATEWAY_ID);
    }

    public long seq() {
        return store.seq();
    }

    public int keyCount() {
        return store.size();
    }

    public SortedSet<KeyId> keyIds() {
        return store.ids();
    }

    /** The gateways whose removal from the consortium was proven to this device. */
    public SortedSet<Integer> removedGateways() {
        return removedGateways(store);
    }

    private SortedSet<Integer> removedGateways(chainkm.device.store.KeyStore view) {
        SortedSet<Integer> out = new TreeSet<>();
        for (int id : trustAnchors.keySet()) {
            if (view.counter(Ownership.removedValue(id)) != 0) {
                out.add(id);
            }
        }
        return out;
    }

    /** Installs the keys of a join (replacing anything the store held). */
    public synchronized void install(JoinBundle bundle) {
        store.edit(edit -> {
            for (KeyId id : new ArrayList<>(edit.ids())) {
                edit.remove(id);
            }
            bundle.keys().forEach(edit::put);
            edit.setValue(NODE_ID, bundle.nodeId());
            edit.setValue(SET_ID, bundle.setId());
            edit.setValue(GATEWAY_ID, bundle.gatewayId());
            edit.setSeq(bundle.seq());
        });
        previous.clear();
        LOG.info("joined as node {} in set {} at seq {} with {} keys", bundle.nodeId(), bundle.setId(), bundle.seq(),
                bundle.keys().size());
    }

    /** Applies one rekey message if it is the next one for this device (one durable write if it is). */
    public synchronized Result apply(byte[] bytes) {
        return applyAll(List.of(bytes)).get(0);
    }

    /**
     * Applies rekey messages in ledger order as one change of the store, written once: what a
     * catch-up after a sleep fetches. A crash leaves the device before all of them or after all
     * of them, never in between, and 1,000 missed operations cost one durable write instead of
     * 1,000. Each message is checked exactly as {@link #apply} checks it, against the state the
     * messages before it left. Stops at the first message it refuses; those before it stay
     * applied, as if they had come one by one. Nothing is written when none applies.
     *
     * @return one result per message considered, in order (the last is the refusal, if any)
     */
    public synchronized List<Result> applyAll(List<byte[]> messages) {
        List<Result> results = new ArrayList<>(messages.size());
        Map<KeyId, Previous> kept = new HashMap<>(previous);
        List<Runnable> afterCommit = new ArrayList<>();
        try {
            store.edit(edit -> {
                for (byte[] bytes : messages) {
                    Result r = step(edit, bytes, kept, afterCommit);
                    results.add(r);
                    if (r.outcome() == Outcome.REFUSED) {
                        break;
                    }
                }
                if (results.stream().noneMatch(r -> r.outcome() == Outcome.APPLIED)) {
                    throw new NothingToWrite();
                }
            });
        } catch (NothingToWrite e) {
            return results;
        } catch (RuntimeException e) {
            // a message whose updates do not fit this device's keys, or a failed write: nothing was written
            if (messages.size() > 1) {
                return oneByOne(messages); // pins the failure on its message, and applies those before it
            }
            long seq = e instanceof Unappliable u ? u.seq : results.isEmpty() ? 0 : results.get(0).seq();
            results.clear();
            results.add(refuse(seq, "rekey message cannot be applied: " + e.getMessage()));
            return results;
        }
        previous.clear();
        previous.putAll(kept);
        afterCommit.forEach(Runnable::run);
        return results;
    }

    private List<Result> oneByOne(List<byte[]> messages) {
        List<Result> results = new ArrayList<>(messages.size());
        for (byte[] bytes : messages) {
            Result r = apply(bytes);
            results.add(r);
            if (r.outcome() == Outcome.REFUSED) {
                break;
            }
        }
        return results;
    }

    /** Ends an edit that changed nothing, so that nothing is written. */
    private static final class NothingToWrite extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NothingToWrite() {
            super(null, null, false, false);
        }
    }

    /** A message whose updates cannot be applied to this device's keys (e.g. a ROLL of a key it lacks). */
    private static final class Unappliable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long seq;

        Unappliable(long seq, String message) {
            super(message, null, false, false);
            this.seq = seq;
        }
    }

    /**
     * Checks one message against {@code view} (the state the messages before it in the batch
     * left) and, if it is the next one for this device, applies it to {@code view}. The previous
     * values kept for their grace period are in {@code kept}; log lines that must wait for the
     * write go into {@code afterCommit}.
     */
    private Result step(EditableKeyStore view, byte[] bytes, Map<KeyId, Previous> kept, List<Runnable> afterCommit) {
        RekeyMessage m;
        try {
            m = RekeyMessage.decode(bytes);
        } catch (MessageFormatException e) {
            return refuse(0, "malformed rekey message: " + e.getMessage());
        }
        byte[] anchor = trustAnchors.get(m.gatewayId());
        if (anchor == null) {
            return refuse(m.seq(), "rekey message from unknown gateway " + m.gatewayId());
        }
        if (!m.verify(anchor)) {
            return refuse(m.seq(), "rekey message with a bad signature (claims gateway " + m.gatewayId() + ")");
        }
        long seq = view.seq();
        if (m.seq() <= seq) {
            // a replay, or a legitimate overlap between catch-up and MQTT: harmless, but leave a trace
            LOG.info("ignored: duplicate rekey message for seq {}, already at seq {} (keys unchanged)", m.seq(), seq);
            return new Result(Outcome.DUPLICATE, m.seq(), "already at seq " + seq);
        }
        int nodeId = (int) view.counter(NODE_ID);
        int setId = (int) view.counter(SET_ID);
        int gatewayId = (int) view.counter(GATEWAY_ID);
        Ownership.Verdict owner = Ownership.check(m, gatewayId, trustAnchors, removedGateways(view));
        if (!owner.entitled()) {
            return refuse(m.seq(), owner.reason());
        }
        boolean adoption = owner.owner() != gatewayId;
        if (adoption && m.kind() != RekeyMessage.Kind.NODE) {
            return refuse(m.seq(), "a change of owner to gateway " + owner.owner() + " in a SET message");
        }
        // a full-state NODE message (an adoption's, or a catch-up from before the gateway's archive) stands
        // alone: what came before it is moot
        boolean gap = m.seq() > seq + 1;
        if (gap && m.kind() != RekeyMessage.Kind.NODE) {
            return new Result(Outcome.GAP, m.seq(), "at seq " + seq + ", message is for seq " + m.seq());
        }
        KeyId kek;
        if (m.kind() == RekeyMessage.Kind.NODE) {
            if (m.target() != nodeId) {
                return new Result(Outcome.NOT_MINE, m.seq(), "for node " + m.target());
            }
            kek = KeyId.nodeKey(nodeId);
        } else {
            if (m.target() == setId && m.exempt().contains(nodeId) && m.operation() == Operation.RENEW) {
                // a renewal's notice: this device's new keys come only inside its DTLS session, never on MQTT
                // under the keys they replace; report the gap so that the follower fetches them (/catchup)
                return new Result(Outcome.GAP, m.seq(), "renewal of set " + m.target() + " at seq " + m.seq()
                        + ": its keys are fetched over DTLS");
            }
            if (m.target() != setId || m.exempt().contains(nodeId)) {
                return new Result(Outcome.NOT_MINE, m.seq(), "for set " + m.target() + " or exempt");
            }
            kek = KeyId.setKey(setId);
        }
        Optional<KeyMaterial> kekValue = view.get(kek);
        byte[] attached = attachmentKey;
        if (adoption && attached != null && owner.owner() == attachmentGateway) {
            // the gateway it rejoined adopted its set: its first message is under the attachment key
            kekValue = Optional.of(new KeyMaterial(kek, attached, seq));
        }
        if (kekValue.isEmpty()) {
            return refuse(m.seq(), "no " + kek + " to open the message");
        }
        List<KeyUpdate> updates;
        byte[] kekBytes = kekValue.get().key();
        try {
            updates = m.open(kekBytes);
        } catch (AuthenticationException e) {
            return refuse(m.seq(), "rekey message does not decrypt under " + kek + " (tampered or forged)");
        } catch (MessageFormatException e) {
            return refuse(m.seq(), "rekey message content is malformed: " + e.getMessage());
        } finally {
            java.util.Arrays.fill(kekBytes, (byte) 0);
        }
        boolean fullState = !updates.isEmpty() && updates.get(0).action() == KeyUpdate.Action.WIPE;
        if (adoption && !fullState) {
            return refuse(m.seq(), "gateway " + owner.owner() + " takes over this device's set without replacing "
                    + "every key the removed owner knew");
        }
        if (gap && !fullState) {
            return new Result(Outcome.GAP, m.seq(), "at seq " + seq + ", message is for seq " + m.seq());
        }
        Map<KeyId, Previous> newGrace = new HashMap<>();
        List<KeyId> dropped = new ArrayList<>();
        try {
            for (KeyUpdate u : updates) {
                applyOne(view, u, m, kept, newGrace, dropped);
            }
            view.setSeq(m.seq());
            owner.newlyRemoved().forEach(id -> view.setValue(Ownership.removedValue(id), 1));
            if (adoption) {
                view.setValue(GATEWAY_ID, owner.owner()); // adopted: this gateway owns its set now
            }
        } catch (RuntimeException e) {
            throw new Unappliable(m.seq(), e.getMessage()); // the whole edit is dropped: nothing of it is written
        }
        dropped.forEach(kept::remove);
        kept.putAll(newGrace);
        if (adoption) {
            afterCommit.add(() -> LOG.info("gateway {} owns this device's set now: the consortium removed gateway(s) {}",
                    owner.owner(), owner.newlyRemoved()));
        }
        return new Result(Outcome.APPLIED, m.seq(), m.operation() + " of node " + m.subjectNode());
    }

    private void applyOne(EditableKeyStore edit, KeyUpdate u, RekeyMessage m, Map<KeyId, Previous> kept,
                          Map<KeyId, Previous> newGrace, List<KeyId> dropped) {
        long expires = clock.millis() + grace.toMillis();
        switch (u.action()) {
            case PUT -> {
                edit.get(u.id()).ifPresent(old -> keepOrDrop(u.id(), old, u.grace(), expires, newGrace, dropped));
                edit.put(new KeyMaterial(u.id(), u.key(), m.seq()));
            }
            case ROLL -> {
                KeyMaterial old = edit.get(u.id()).orElseThrow(
                        () -> new IllegalStateException("ROLL of " + u.id() + ", which this device does not hold"));
                byte[] bytes = old.key();
                edit.put(new KeyMaterial(u.id(), KeyUpdate.rolled(u.id(), bytes, m.refreshKey()), m.seq()));
                java.util.Arrays.fill(bytes, (byte) 0);
                keepOrDrop(u.id(), old, true, expires, newGrace, dropped);
            }
            case DELETE -> {
                edit.remove(u.id());
                dropped.add(u.id());
            }
            case SET -> edit.setValue(SET_ID, u.setId());
            case WIPE -> {
                for (KeyId id : new ArrayList<>(edit.ids())) {
                    if (id.kind() != KeyKind.NODE_KEY) {
                        edit.remove(id);
                        dropped.add(id);
                    }
                }
                dropped.addAll(kept.keySet());
            }
        }
    }

    private static void keepOrDrop(KeyId id, KeyMaterial old, boolean grace, long expires, Map<KeyId, Previous> newGrace,
                                   List<KeyId> dropped) {
        if (grace) {
            newGrace.put(id, new Previous(old, expires));
        } else {
            newGrace.remove(id);
            dropped.add(id);
        }
    }

    private Result refuse(long seq, String reason) {
        refusals.refused(reason);
        return new Result(Outcome.REFUSED, seq, reason);
    }

    /** The key a D2D message to or from {@code peerNode} in {@code peerSet} uses now. */
    public KeyId keyIdForPeer(int peerNode, int peerSet) {
        int mySet = setId();
        return peerSet == mySet ? KeyId.pairwiseNodeKey(nodeId(), peerNode) : KeyId.pairwiseSetKey(mySet, peerSet);
    }

    public Optional<KeyMaterial> current(KeyId id) {
        return store.get(id);
    }

    /**
     * The values of {@code id} a message labelled with {@code seq} may be under, best match
     * first: the current value, and the previous one while its grace period lasts. The label is
     * a hint, not a filter: a device moved by Reorder receives its new set's keys labelled with
     * the move's seq, while its peers hold the same values under older labels.
     */
    public synchronized List<KeyMaterial> candidates(KeyId id, long seq) {
        List<KeyMaterial> out = new ArrayList<>(2);
        store.get(id).ifPresent(out::add);
        Previous p = previous.get(id);
        if (p != null && clock.millis() <= p.expiresAtMillis()) {
            if (p.key().seq() == seq) {
                out.add(0, p.key());
            } else {
                out.add(p.key());
            }
        }
        return out;
    }

    /** The value of {@code id} at {@code seq}: the current one, or the previous one within its grace period. */
    public synchronized Optional<KeyMaterial> atSeq(KeyId id, long seq) {
        Optional<KeyMaterial> now = store.get(id);
        if (now.isPresent() && now.get().seq() == seq) {
            return now;
        }
        Previous p = previous.get(id);
        if (p != null && p.key().seq() == seq && clock.millis() <= p.expiresAtMillis()) {
            return Optional.of(p.key());
        }
        return Optional.empty();
    }
}
