package chainkm.gateway.keys;

import chainkm.protocol.rekey.Rejoin;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.rekey.JoinBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's service to devices: joins (through the ledger, in commit mode, so a device
 * never holds keys for an operation the ledger did not commit; the ledger records the device's
 * own commitment, so no gateway ever knows the secret behind it), catch-up after sleep or a
 * missed MQTT message, and the DTLS pre-shared keys of devices.
 */
public final class GatewayDeviceService implements DeviceService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayDeviceService.class);

    private final LedgerApp ledger;
    private final Submitter submitter;
    private final KeyFeed feed;
    private final GatewaySecrets secrets;
    private final JoinRegistry registry;
    private volatile chainkm.gateway.relay.AttachedDevices attached;
    private volatile ClonePolicy clonePolicy = ClonePolicy.EVICT;
    private final java.util.Set<Integer> blocked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong clonesDetected = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong replaysRefused = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.Map<Integer, Long> attachedElsewhereSince = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long CLONE_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    /** What a gateway does with an identity it caught being used twice (gateway.toml {@code clone_policy}). */
    public enum ClonePolicy {
        /** Submit an EVICT: every copy of the device loses its keys. */
        EVICT,
        /** Refuse the node here (DTLS, rejoin) from now on; the ledger keeps it. */
        BLOCK,
        /** Only log it. */
        LOG;

        public static ClonePolicy parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clone_policy must be evict, block or log, not '" + text + "'");
            }
        }
    }

    public GatewayDeviceService(LedgerApp ledger, Submitter submitter, KeyFeed feed, GatewaySecrets secrets,
                                Path registryFile) throws IOException {
        this.ledger = ledger;
        this.submitter = submitter;
        this.feed = feed;
        this.secrets = secrets;
        this.registry = new JoinRegistry(registryFile);
    }

    @Override
    public byte[] join(String bootstrapIdentity, byte[] commitment) throws DeviceServiceException {
        if (!bootstrapIdentity.startsWith(BOOTSTRAP_PREFIX)) {
            throw new DeviceServiceException("only a provisioned device's bootstrap identity can join");
        }
        if (commitment == null || commitment.length != SecretCode.SIZE) {
            throw new DeviceServiceException("a join carries the device's 32-byte commitment");
        }
        synchronized (bootstrapIdentity.intern()) {
            try {
                Integer nodeId = registry.nodeOf(bootstrapIdentity);
                if (nodeId == null) {
                    nodeId = submitter.freshNodeId();
                    registry.record(bootstrapIdentity, nodeId);
                }
                int id = nodeId;
                boolean member = ledger.readCommitted(s -> s.member(id).isPresent());
                boolean used = ledger.readCommitted(s -> s.nodeIdUsed(id));
                if (used && !member) {
                    throw new DeviceServiceException("this device was a member and has left or been evicted");
                }
                if (!member) {
                    Submitter.Submission s = submitter.submit(Submitter.Request.join(id, commitment),
                            SubmitMode.COMMIT);
                    if (!s.first().committed()) {
                        throw new DeviceServiceException("the ledger refused the join: code " + s.first().code()
                                + " " + s.first().log());
                    }
                    LOG.info("device {} joined as node {} in set {} (height {})", bootstrapIdentity, id,
                            s.first().setId(), s.first().height());
                }
                Optional<JoinBundle> bundle = feed.awaitBundle(id, Duration.ofSeconds(30));
                if (bundle.isEmpty()) {
                    throw new DeviceServiceException("join committed but its keys are not ready yet; retry");
                }
                JoinBundle b = bundle.get();
                byte[] recorded = ledger.readCommitted(s -> s.member(id).map(m -> m.secretCodeHash()).orElse(null));
                return new JoinBundle(b.gatewayId(), b.nodeId(), b.setId(), b.seq(),
                        recorded == null ? commitment : recorded, b.keys()).encode();
            } catch (IOException e) {
                throw new DeviceServiceException("join failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
        }
    }

    /** Wires the relay of devices attached here whose sets other gateways own, and the clone policy. */
    public void attachRelay(chainkm.gateway.relay.AttachedDevices devices, ClonePolicy policy) {
        this.attached = devices;
        this.clonePolicy = policy;
    }

    @Override
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException {
        chainkm.gateway.relay.AttachedDevices a = attached;
        if (!feed.read(k -> k.isOwnNode(nodeId))) {
            if (a == null || !a.isAttached(nodeId)) {
                throw new DeviceServiceException("node " + nodeId + " is not attached to this gateway");
            }
            try {
                return a.catchUp(nodeId, afterSeq);
            } catch (IOException e) {
                throw new DeviceServiceException("cannot relay the catch-up: " + e.getMessage(), e);
            }
        }
        checkNotCloned(nodeId);
        return feed.read(k -> k.catchUp(nodeId, afterSeq));
    }

    @Override
    public List<byte[]> relay(int requester, int nodeId, long afterSeq) throws DeviceServiceException {
        if (!feed.read(k -> k.isOwnNode(nodeId))) {
            throw new DeviceServiceException("node " + nodeId + " is not in a set of this gateway");
        }
        return feed.read(k -> k.catchUp(nodeId, afterSeq));
    }

    @Override
    public byte[] rejoin(String bootstrapIdentity, byte[] body) throws DeviceServiceException {
        if (!bootstrapIdentity.startsWith(BOOTSTRAP_PREFIX)) {
            throw new DeviceServiceException("only a provisioned device's bootstrap identity can rejoin");
        }
        Rejoin.Request req;
        try {
            req = Rejoin.Request.decode(body);
        } catch (chainkm.protocol.rekey.MessageFormatException e) {
            throw new DeviceServiceException(e.getMessage());
        }
        int node = req.nodeId();
        if (blocked.contains(node)) {
            throw new DeviceServiceException("node " + node + " is blocked here as a suspected clone");
        }
        synchronized (("rejoin-" + node).intern()) {
            Optional<chainkm.gateway.ledger.NodeRecord> member = ledger.readCheckState(s -> s.member(node));
            if (member.isEmpty()) {
                boolean used = ledger.readCommitted(s -> s.nodeIdUsed(node));
                throw new DeviceServiceException(used ? "node " + node + " has left or was evicted: it must join afresh"
                        : "node " + node + " is not a member");
            }
            byte[] anchor = member.get().secretCodeHash();
            byte[] link = req.link();
            if (chainkm.protocol.ledger.RejoinChain.isSpent(link, anchor, 64)) {
                // anyone who reads the ledger can send this: refuse and log it, but it proves no clone
                replaysRefused.incrementAndGet();
                LOG.warn("REPLAYED rejoin proof for node {} refused (already used, or read off the ledger)", node);
                throw new DeviceServiceException("rejoin proof already used (replayed, or read off the ledger)");
            }
            if (!chainkm.protocol.ledger.RejoinChain.verifies(link, anchor)) {
                throw new DeviceServiceException("rejoin proof does not match node " + node + "'s anchor on the ledger");
            }
            Submitter.Submission s;
            try {
                s = submitter.submit(Submitter.Request.rejoin(node, link), SubmitMode.SYNC);
            } catch (IOException e) {
                throw new DeviceServiceException("rejoin not submitted: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
            if (s.first().status() != SubmitStatus.ACCEPTED) {
                throw new DeviceServiceException("the ledger refused the rejoin: code " + s.first().code() + " "
                        + s.first().log());
            }
            s.landed().thenAccept(r -> {
                if (r.code() == chainkm.gateway.ledger.TxCode.BAD_REJOIN_PROOF.code()) {
                    LOG.warn("the REJOIN of node {} accepted here lost to another one with the same link", node);
                }
            });
            chainkm.gateway.relay.AttachedDevices a = attached;
            if (a != null) {
                a.attach(node, req.epoch());
            }
            LOG.info("node {} rejoined here at epoch {} (REJOIN accepted, no rekeying)", node, req.epoch());
            byte[] nk = feed.read(k -> k.nodeKey(node));
            try {
                return new Rejoin.Answer(secrets.gatewayId(), node, nk).encode();
            } finally {
                java.util.Arrays.fill(nk, (byte) 0);
            }
        }
    }

    /**
     * Called after every commit: notes when each node of this gateway's sets was first seen
     * attached to another gateway. A device that moved or rejoined elsewhere stops talking to
     * this gateway before its REJOIN is even submitted, so a request under its identity here
     * after that (plus a grace for requests in flight) comes from a second copy of the device.
     */
    public void onCommit() {
        long now = System.nanoTime();
        int me = secrets.gatewayId();
        java.util.Map<Integer, Integer> elsewhere = ledger.readCommitted(st -> {
            java.util.Map<Integer, Integer> out = new java.util.HashMap<>();
            st.members().values().forEach(m -> {
                if (m.attachedGateway() != me && st.layout().ownerOf(m.setId()) == me) {
                    out.put(m.nodeId(), m.attachedGateway());
                }
            });
            return out;
        });
        attachedElsewhereSince.keySet().retainAll(elsewhere.keySet());
        elsewhere.keySet().forEach(n -> attachedElsewhereSince.putIfAbsent(n, now));
    }

    private void checkNotCloned(int node) throws DeviceServiceException {
        Long since = attachedElsewhereSince.get(node);
        chainkm.gateway.relay.AttachedDevices a = attached;
        if (since == null || (a != null && a.isAttached(node))) {
            return;
        }
        if (System.nanoTime() - since > CLONE_GRACE_NANOS) {
            cloneDetected(node, "its identity here while the ledger attaches it to another gateway");
            throw new DeviceServiceException("node " + node + " is attached to another gateway: suspected clone");
        }
    }

    private void cloneDetected(int node, String how) {
        clonesDetected.incrementAndGet();
        LOG.warn("CLONE suspected: node {} presented {}; policy {}", node, how, clonePolicy.name().toLowerCase());
        switch (clonePolicy) {
            case BLOCK -> blocked.add(node);
            case EVICT -> startDaemon("evict-clone-" + node, () -> {
                try {
                    SubmitResult r = depart(Operation.EVICT, node);
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

    /** How many replayed (spent or ledger-derived) rejoin proofs this gateway refused. */
    public long replaysRefused() {
        return replaysRefused.get();
    }

    /** How many times this gateway caught a node identity used twice. */
    public long clonesDetected() {
        return clonesDetected.get();
    }

    @Override
    public OptionalInt setOf(int nodeId) {
        return ledger.readCommitted(s -> s.member(nodeId).map(m -> OptionalInt.of(m.setId())).orElse(OptionalInt.empty()));
    }

    @Override
    public byte[] pskFor(String identity) {
        if (identity.startsWith(BOOTSTRAP_PREFIX)) {
            return KeySchedule.bootstrapPsk(secrets.provisioning(), identity);
        }
        if (identity.startsWith(NODE_PREFIX)) {
            try {
                int id = Integer.parseInt(identity.substring(NODE_PREFIX.length()));
                if (blocked.contains(id)) {
                    return null;
                }
                chainkm.gateway.relay.AttachedDevices a = attached;
                boolean here = a != null && a.isAttached(id);
                return feed.read(k -> k.isOwnNode(id) || here ? KeySchedule.dtlsPsk(k.nodeKey(id)) : null);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (identity.startsWith(GATEWAY_PREFIX)) {
            try {
                int id = Integer.parseInt(identity.substring(GATEWAY_PREFIX.length()));
                if (id == secrets.gatewayId() || !ledger.readCommitted(st -> st.consortium().contains(id))) {
                    return null; // itself, or a gateway removed from the consortium
                }
                return KeySchedule.relayPsk(secrets, id);
            } catch (IllegalArgumentException e) {
                return null; // not a number, or not a gateway of the consortium
            }
        }
        return null;
    }

    @Override
    public long leave(int nodeId) throws DeviceServiceException {
        chainkm.gateway.relay.AttachedDevices a = attached;
        if (!feed.read(k -> k.isOwnNode(nodeId)) && (a == null || !a.isAttached(nodeId))) {
            throw new DeviceServiceException("node " + nodeId + " is not attached to this gateway");
        }
        if (ledger.readCommitted(s -> s.member(nodeId).isEmpty())) {
            throw new DeviceServiceException("node " + nodeId + " is not a member");
        }
        try {
            SubmitResult r = depart(Operation.LEAVE, nodeId);
            if (!r.committed()) {
                throw new DeviceServiceException("the ledger refused the leave: code " + r.code() + " " + r.log());
            }
            LOG.info("node {} left at its own request (height {})", nodeId, r.height());
            return r.height();
        } catch (IOException e) {
            throw new DeviceServiceException("leave failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceServiceException("interrupted");
        }
    }

    /** Submits a leave or evict of a node through this gateway (commit mode). */
    public SubmitResult depart(Operation op, int nodeId) throws IOException, InterruptedException {
        return submitter.submit(Submitter.Request.departure(op, nodeId), SubmitMode.COMMIT).first();
    }

    @Override
    public void close() throws IOException {
        registry.close();
    }
}
