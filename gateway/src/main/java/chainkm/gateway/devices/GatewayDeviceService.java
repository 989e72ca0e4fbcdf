package chainkm.gateway.devices;

import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.keys.KeySchedule;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's service to devices: activations ({@link DeviceActivations}), joins
 * ({@link DeviceJoins}) and rejoins ({@link DeviceRejoins}), catch-up after sleep or a missed MQTT message (from the key manager
 * for this gateway's devices, through {@link AttachedDevices} for devices attached here whose
 * set another gateway owns), the relay of its own devices' messages to other gateways, leaves,
 * the ledger identity behind a device's DTLS key, the pre-shared keys of peer gateways, and
 * clone detection ({@link CloneDetector}).
 */
public final class GatewayDeviceService implements DeviceService {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayDeviceService.class);

    private static final java.time.Duration RELAY_COMMIT_WAIT = java.time.Duration.ofSeconds(10);
    private static final java.time.Duration RELAY_GOSSIP_WAIT = java.time.Duration.ofSeconds(1);
    private final LedgerApp ledger;
    private final Submitter submitter;
    private final KeyFeed feed;
    private final GatewaySecrets secrets;
    private final DeviceActivations activations;
    private final DeviceJoins joins;
    private final CloneDetector clones;
    private final DeviceRejoins rejoins;
    private volatile AttachedDevices attached;

    public GatewayDeviceService(LedgerApp ledger, Submitter submitter, KeyFeed feed, GatewaySecrets secrets) {
        this.ledger = ledger;
        this.submitter = submitter;
        this.feed = feed;
        this.secrets = secrets;
        this.activations = new DeviceActivations(ledger, submitter);
        this.joins = new DeviceJoins(ledger, submitter, feed, secrets.gatewayId());
        this.clones = new CloneDetector(ledger, secrets.gatewayId(), this::evict);
        this.rejoins = new DeviceRejoins(ledger, submitter, feed, secrets.gatewayId(), clones);
    }

    @Override
    public Optional<DeviceIdentity> identityByKey(byte[] rawKey) {
        return ledger.readCommitted(s -> s.identityByKey(rawKey));
    }

    @Override
    public void activate(byte[] sessionKey, IdentityActivation activation) throws DeviceServiceException {
        activations.activate(sessionKey, activation);
    }

    @Override
    public byte[] join(DevicePeer peer, JoinRequest request) throws DeviceServiceException {
        return joins.join(peer, request);
    }

    /** Wires the relay of devices attached here whose sets other gateways own, and the clone policy. */
    public void attachRelay(AttachedDevices devices, ClonePolicy policy) {
        this.attached = devices;
        clones.policy(policy);
    }

    @Override
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException {
        if (clones.isBlocked(nodeId)) {
            // what the node PSK's refusal did before: a blocked clone gets nothing more here
            throw DeviceServiceException.forbidden("node " + nodeId + " is blocked here as a suspected clone");
        }
        AttachedDevices a = attached;
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
        clones.check(nodeId, a);
        return feed.read(k -> k.catchUp(nodeId, afterSeq));
    }

    @Override
    public List<byte[]> relay(int requester, int nodeId, long afterSeq) throws DeviceServiceException {
        Optional<String> refused = relayRefusal(requester, nodeId);
        if (refused.isPresent()) {
            LOG.warn("relay for gateway {} refused: {}", requester, refused.get());
            throw DeviceServiceException.forbidden("relay refused: " + refused.get());
        }
        if (!feed.read(k -> k.isOwnNode(nodeId))) {
            throw new DeviceServiceException("node " + nodeId + " is not in a set of this gateway");
        }
        return feed.read(k -> k.catchUp(nodeId, afterSeq));
    }

    /**
     * {@link RelayAuthority} on the committed ledger. A rejoin is answered after CheckTx, so the
     * new gateway may ask before its REJOIN is committed: while the checked (mempool) state
     * already attaches the node to the requester, this waits for the commit (a block or two);
     * otherwise it gives the gossip a second to bring the REJOIN here, then refuses.
     */
    private Optional<String> relayRefusal(int requester, int nodeId) throws DeviceServiceException {
        long start = System.nanoTime();
        while (true) {
            Optional<String> refused = RelayAuthority.refusal(ledger.readCommitted(s -> s.member(nodeId)), nodeId, requester);
            if (refused.isEmpty()) {
                return refused;
            }
            boolean pending = RelayAuthority.refusal(ledger.readCheckState(s -> s.member(nodeId)), nodeId, requester).isEmpty();
            long waited = System.nanoTime() - start;
            if (waited > (pending ? RELAY_COMMIT_WAIT : RELAY_GOSSIP_WAIT).toNanos()) {
                return refused;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
        }
    }

    @Override
    public byte[] rejoin(DevicePeer peer, byte[] body) throws DeviceServiceException {
        return rejoins.rejoin(peer, body, attached);
    }

    /**
     * Called after every commit: notes when each node of this gateway's sets was first seen
     * attached to another gateway (see {@link CloneDetector}).
     */
    public void onCommit() {
        clones.onCommit();
    }

    /** How many replayed (spent or ledger-derived) rejoin proofs this gateway refused. */
    public long replaysRefused() {
        return rejoins.replaysRefused();
    }

    /** How many times this gateway caught a node identity used twice. */
    public long clonesDetected() {
        return clones.detected();
    }

    @Override
    public Optional<DeviceIdentity> memberIdentity(int nodeId) {
        return ledger.readCommitted(s -> s.member(nodeId)
                .flatMap(m -> s.identity(m.identity()))
                .filter(i -> i.state() == DeviceIdentity.State.ACTIVE && i.node() == nodeId));
    }

    @Override
    public OptionalInt setOf(int nodeId) {
        return ledger.readCommitted(s -> s.member(nodeId).map(m -> OptionalInt.of(m.setId())).orElse(OptionalInt.empty()));
    }

    @Override
    public byte[] gatewayPsk(int gatewayId) {
        if (gatewayId == secrets.gatewayId() || !ledger.readCommitted(st -> st.consortium().contains(gatewayId))) {
            return null; // itself, or a gateway removed from (or never in) the consortium
        }
        try {
            return KeySchedule.relayPsk(secrets, gatewayId);
        } catch (IllegalArgumentException e) {
            return null; // no pair secret with it (not in genesis)
        }
    }

    @Override
    public long leave(DevicePeer peer, LeaveRequest request) throws DeviceServiceException {
        int nodeId = peer.nodeId();
        if (request.nodeId() != nodeId || nodeId == 0) {
            throw DeviceServiceException.forbidden(peer.name() + " may only leave as its own node");
        }
        AttachedDevices a = attached;
        if (!feed.read(k -> k.isOwnNode(nodeId)) && (a == null || !a.isAttached(nodeId))) {
            throw new DeviceServiceException("node " + nodeId + " is not attached to this gateway");
        }
        if (ledger.readCommitted(s -> s.member(nodeId).isEmpty())) {
            throw new DeviceServiceException("node " + nodeId + " is not a member");
        }
        try {
            SubmitResult r = submitter.submit(Submitter.Request.leave(nodeId, request.authorization(peer.name())),
                    SubmitMode.COMMIT).first();
            if (!r.committed()) {
                LOG.warn("leave of {} refused by the ledger: code {} {}", peer, r.code(), r.log());
                throw DeviceServiceException.forbidden("the ledger refused the leave: code " + r.code() + " " + r.log());
            }
            LOG.info("device {} left as node {} at its own request (height {})", peer.name(), nodeId, r.height());
            return r.height();
        } catch (IOException e) {
            throw new DeviceServiceException("leave failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceServiceException("interrupted");
        }
    }

    /** Submits this gateway's evict of a member of one of its sets (commit mode). */
    public SubmitResult evict(int nodeId) throws IOException, InterruptedException {
        return submitter.submit(Submitter.Request.evict(nodeId), SubmitMode.COMMIT).first();
    }
}
