package chainkm.gateway.devices;

import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.identity.IdentityActivation;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's first-boot activation, relayed to the ledger: only the holder of the identity's
 * enrolled (one-time) key may ask, and the ledger checks both signatures. Idempotent: a retry
 * whose answer was lost finds the identity active with the very key the activation names and
 * is told so without a second submission.
 */
final class DeviceActivations {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceActivations.class);

    private final LedgerApp ledger;
    private final Submitter submitter;
    private final ConcurrentHashMap<String, Object> inFlight = new ConcurrentHashMap<>();

    DeviceActivations(LedgerApp ledger, Submitter submitter) {
        this.ledger = ledger;
        this.submitter = submitter;
    }

    /** See {@link DeviceService#activate}. */
    void activate(byte[] sessionKey, IdentityActivation activation) throws DeviceServiceException {
        String name = activation.name();
        synchronized (inFlight.computeIfAbsent(name, n -> new Object())) {
            Optional<DeviceIdentity> found = ledger.readCommitted(s -> s.identity(name));
            if (found.isEmpty()) {
                LOG.warn("activation of {} refused: no such identity on the ledger", name);
                throw DeviceServiceException.forbidden("no identity " + name + " on the ledger");
            }
            DeviceIdentity identity = found.get();
            if (identity.state() == DeviceIdentity.State.REVOKED) {
                LOG.warn("activation of {} refused: identity revoked", name);
                throw DeviceServiceException.forbidden("identity revoked");
            }
            if (identity.state() == DeviceIdentity.State.ACTIVE) {
                // a retry is answered only to the enrollment key that signed this very activation
                if (Arrays.equals(identity.key(), activation.identityKey()) && activation.verifies(sessionKey)) {
                    LOG.info("activation of {} repeated: already active with this key", name);
                    return;
                }
                LOG.warn("activation of {} refused: already active with another key or asked by another key", name);
                throw DeviceServiceException.forbidden(name + " is active already");
            }
            if (!Arrays.equals(identity.key(), sessionKey)) {
                LOG.warn("activation of {} refused: the session's key is not its enrollment key", name);
                throw DeviceServiceException.forbidden("only " + name + "'s enrollment key may activate it");
            }
            SubmitResult r;
            try {
                r = submitter.submit(Submitter.Request.activate(activation), SubmitMode.COMMIT).first();
            } catch (IOException e) {
                throw new DeviceServiceException("activation not submitted: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceServiceException("interrupted");
            }
            if (!r.committed()) {
                LOG.warn("activation of {} refused by the ledger: code {} {}", name, r.code(), r.log());
                throw DeviceServiceException.forbidden("the ledger refused the activation: code " + r.code() + " " + r.log());
            }
            LOG.info("device {} activated its own identity key (height {})", name, r.height());
        }
    }
}
