package chainkm.gateway.devices;

import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.TxCode;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.rekey.JoinBundle;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join of a device identity: through the ledger in commit mode, so a device never holds keys
 * for an operation the ledger did not commit, with the device's own commitment (the anchor of its
 * rejoin chain, whose secret no gateway knows) signed by the device's identity key, so a
 * commitment copied into another join is useless. Idempotent without a local registry: the
 * ledger's identity records its node, so a device that retries (it crashed before saving its
 * bundle) gets that node's bundle again; one join in flight per name on this gateway, and a
 * retry racing through a crash is answered by the ledger (ALREADY_JOINED), then served the same way.
 */
final class DeviceJoins {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceJoins.class);
    private static final Duration BUNDLE_TIMEOUT = Duration.ofSeconds(30);

    private final LedgerApp ledger;
    private final Submitter submitter;
    private final KeyFeed feed;
    private final int gatewayId;
    private final ConcurrentHashMap<String, Object> inFlight = new ConcurrentHashMap<>();

    DeviceJoins(LedgerApp ledger, Submitter submitter, KeyFeed feed, int gatewayId) {
        this.ledger = ledger;
        this.submitter = submitter;
        this.feed = feed;
        this.gatewayId = gatewayId;
    }

    /** See {@link DeviceService#join}. */
    byte[] join(DevicePeer peer, JoinRequest request) throws DeviceServiceException {
        String name = peer.name();
        synchronized (inFlight.computeIfAbsent(name, n -> new Object())) {
            try {
                DeviceIdentity identity = current(name);
                if (identity.node() != 0) {
                    return bundleOf(name, identity.node());
                }
                if (identity.state() != DeviceIdentity.State.ACTIVE) {
                    throw DeviceServiceException.forbidden(name + " is not activated: activate, then join");
                }
                byte[] commitment = request.commitment();
                DeviceAuthorization authorization = request.authorization(name);
                // checked here too, so a forged or borrowed signature never reaches the ledger
                if (!authorization.verifiesJoin(identity.key(), commitment)) {
                    LOG.warn("join of {} refused: its signature does not verify under the identity's key", name);
                    throw DeviceServiceException.forbidden("the join's signature does not verify under " + name + "'s key");
                }
                if (ledger.readCommitted(s -> s.commitmentUsed(name, commitment))) {
                    LOG.warn("join of {} refused: commitment already used by this identity", name);
                    throw DeviceServiceException.forbidden("this commitment was used by " + name + " already: make a new one");
                }
                int nodeId = submitter.freshNodeId();
                SubmitResult r = submitter.submit(Submitter.Request.join(nodeId, commitment, authorization),
                        SubmitMode.COMMIT).first();
                if (r.committed()) {
                    LOG.info("device {} joined as node {} in set {} (height {})", name, r.nodeId(), r.setId(), r.height());
                } else if (r.code() != TxCode.ALREADY_JOINED.code()) {
                    LOG.warn("join of {} refused by the ledger: code {} {}", name, r.code(), r.log());
                    throw DeviceServiceException.forbidden("the ledger refused the join: code " + r.code() + " " + r.log());
                }
                // committed now or by a racing retry: the ledger's identity says which node it is
                int node = current(name).node();
                if (node == 0) {
                    throw new DeviceServiceException("the join of " + name + " is not committed yet; retry");
                }
                return bundleOf(name, node);
            } catch (IOException e) {
                throw new DeviceServiceException("join failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
        }
    }

    /** The identity as the committed ledger holds it; a revoked or unknown one is refused. */
    private DeviceIdentity current(String name) throws DeviceServiceException {
        Optional<DeviceIdentity> identity = ledger.readCommitted(s -> s.identity(name));
        if (identity.isEmpty()) {
            throw DeviceServiceException.forbidden("no identity " + name + " on the ledger");
        }
        if (identity.get().state() == DeviceIdentity.State.REVOKED) {
            LOG.warn("join of {} refused: identity revoked", name);
            throw DeviceServiceException.forbidden("identity revoked");
        }
        return identity.get();
    }

    /** The bundle of the node {@code name} joined as; only the owner of its set has it. */
    private byte[] bundleOf(String name, int node) throws DeviceServiceException, InterruptedException {
        int owner = ledger.readCommitted(s -> s.member(node).map(m -> s.layout().ownerOf(m.setId())).orElse(-1));
        if (owner == -1) {
            throw DeviceServiceException.forbidden(name + " joined as node " + node + ", which is no longer a member");
        }
        if (owner != gatewayId) {
            throw DeviceServiceException.forbidden(name + " joined as node " + node + " through gateway " + owner
                    + ": ask that gateway for its bundle");
        }
        Optional<JoinBundle> bundle = feed.awaitBundle(node, BUNDLE_TIMEOUT);
        if (bundle.isEmpty()) {
            throw new DeviceServiceException("join committed but its keys are not ready yet; retry");
        }
        LOG.info("join bundle of node {} ready for device {}", node, name);
        return bundle.get().encode();
    }
}
