package chainkm.gateway.devices;

import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.keys.KeySchedule;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.ledger.Operation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's service to devices: joins ({@link DeviceJoins}) and rejoins
 * ({@link DeviceRejoins}), catch-up after sleep or a missed MQTT message (from the key manager
 * for this gateway's devices, through {@link AttachedDevices} for devices attached here whose
 * set another gateway owns), the relay of its own devices' messages to other gateways, leaves,
 * the DTLS pre-shared keys of devices and gateways, and clone detection ({@link CloneDetector}).
 */
public final class GatewayDeviceService implements DeviceService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayDeviceService.class);

    private final LedgerApp ledger;
    private final Submitter submitter;
    private final KeyFeed feed;
    private final GatewaySecrets secrets;
    private final DeviceJoins joins;
    private final CloneDetector clones;
    private final DeviceRejoins rejoins;
    private volatile AttachedDevices attached;

    public GatewayDeviceService(LedgerApp ledger, Submitter submitter, KeyFeed feed, GatewaySecrets secrets,
                                Path registryFile) throws IOException {
        this.ledger = ledger;
        this.submitter = submitter;
        this.feed = feed;
        this.secrets = secrets;
        this.joins = new DeviceJoins(ledger, submitter, feed, registryFile);
        this.clones = new CloneDetector(ledger, secrets.gatewayId(), node -> depart(Operation.EVICT, node));
        this.rejoins = new DeviceRejoins(ledger, submitter, feed, secrets.gatewayId(), clones);
    }

    @Override
    public byte[] join(String bootstrapIdentity, byte[] commitment) throws DeviceServiceException {
        return joins.join(bootstrapIdentity, commitment);
    }

    /** Wires the relay of devices attached here whose sets other gateways own, and the clone policy. */
    public void attachRelay(AttachedDevices devices, ClonePolicy policy) {
        this.attached = devices;
        clones.policy(policy);
    }

    @Override
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException {
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
        if (!feed.read(k -> k.isOwnNode(nodeId))) {
            throw new DeviceServiceException("node " + nodeId + " is not in a set of this gateway");
        }
        return feed.read(k -> k.catchUp(nodeId, afterSeq));
    }

    @Override
    public byte[] rejoin(String bootstrapIdentity, byte[] body) throws DeviceServiceException {
        return rejoins.rejoin(bootstrapIdentity, body, attached);
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
    public OptionalInt setOf(int nodeId) {
        return ledger.readCommitted(s -> s.member(nodeId).map(m -> OptionalInt.of(m.setId())).orElse(OptionalInt.empty()));
    }

    @Override
    public byte[] pskFor(String identity) {
        if (identity.startsWith(BOOTSTRAP_PREFIX)) {
            return KeySchedule.bootstrapPsk(secrets, identity);
        }
        if (identity.startsWith(NODE_PREFIX)) {
            try {
                int id = Integer.parseInt(identity.substring(NODE_PREFIX.length()));
                if (clones.isBlocked(id)) {
                    return null;
                }
                AttachedDevices a = attached;
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
        AttachedDevices a = attached;
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
        joins.close();
    }
}
