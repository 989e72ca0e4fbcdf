package chainkm.gateway.keys;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.rekey.JoinBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
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
    private final SecureRandom random = new SecureRandom();

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
                    nodeId = freshNodeId();
                    registry.record(bootstrapIdentity, nodeId);
                }
                int id = nodeId;
                boolean member = ledger.readCommitted(s -> s.member(id).isPresent());
                boolean used = ledger.readCommitted(s -> s.nodeIdUsed(id));
                if (used && !member) {
                    throw new DeviceServiceException("this device was a member and has left or been evicted");
                }
                if (!member) {
                    Submitter.Submission s = submitter.submit(new Submitter.Request(Operation.JOIN, id, null, commitment),
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

    private int freshNodeId() {
        while (true) {
            int id = 1 + random.nextInt(Integer.MAX_VALUE - 1);
            if (!ledger.readCheckState(s -> s.nodeIdUsed(id))) {
                return id;
            }
        }
    }

    @Override
    public List<byte[]> catchUp(int nodeId, long afterSeq) throws DeviceServiceException {
        if (!feed.read(k -> k.isOwnNode(nodeId))) {
            throw new DeviceServiceException("node " + nodeId + " is not attached to this gateway");
        }
        return feed.read(k -> k.catchUp(nodeId, afterSeq));
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
                return feed.read(k -> k.isOwnNode(id) ? KeySchedule.dtlsPsk(k.nodeKey(id)) : null);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public long leave(int nodeId) throws DeviceServiceException {
        if (!feed.read(k -> k.isOwnNode(nodeId))) {
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
