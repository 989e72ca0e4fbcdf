package chainkm.gateway.devices;

import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.rekey.JoinBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join of a provisioned device: through the ledger in commit mode, so a device never holds
 * keys for an operation the ledger did not commit, with the device's own commitment (the anchor
 * of its rejoin hash chain), so no gateway ever knows the secret behind it. Idempotent: the
 * {@link JoinRegistry} gives a device that retries (it crashed before saving its bundle) the same
 * node, and the key manager its bundle.
 */
final class DeviceJoins implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceJoins.class);
    private static final Duration BUNDLE_TIMEOUT = Duration.ofSeconds(30);

    private final LedgerApp ledger;
    private final Submitter submitter;
    private final KeyFeed feed;
    private final JoinRegistry registry;

    DeviceJoins(LedgerApp ledger, Submitter submitter, KeyFeed feed, Path registryFile) throws IOException {
        this.ledger = ledger;
        this.submitter = submitter;
        this.feed = feed;
        this.registry = new JoinRegistry(registryFile);
    }

    /** See {@link DeviceService#join}. */
    byte[] join(String bootstrapIdentity, byte[] commitment) throws DeviceServiceException {
        if (!bootstrapIdentity.startsWith(DeviceService.BOOTSTRAP_PREFIX)) {
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
                Optional<JoinBundle> bundle = feed.awaitBundle(id, BUNDLE_TIMEOUT);
                if (bundle.isEmpty()) {
                    throw new DeviceServiceException("join committed but its keys are not ready yet; retry");
                }
                return bundle.get().encode();
            } catch (IOException e) {
                throw new DeviceServiceException("join failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
        }
    }


    @Override
    public void close() throws IOException {
        registry.close();
    }
}
