package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.IdentityFormatException;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /activate}, body: an {@link IdentityActivation} (name, the device's own identity
 * key, the enrollment key's and the identity key's signatures). Only a session authenticated
 * with the enrolled key of the identity the body names may ask. The gateway submits the
 * ACTIVATE in commit mode and answers 2.04 (empty) once it is committed, or at once when the
 * identity is already active with exactly this key (a retry). 4.03 with the reason when the
 * session may not activate it or the ledger refused; 4.00 for a malformed body; 5.03 when the
 * ledger could not be reached (retry).
 */
final class ActivateResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(ActivateResource.class);

    private final DeviceService service;

    ActivateResource(DeviceService service, Executor executor) {
        super("activate", executor);
        this.service = service;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        byte[] sessionKey = DevicePeers.sessionKey(exchange);
        if (sessionKey == null) {
            LOG.info("/activate refused: not a device session");
            respondError(exchange, ResponseCode.FORBIDDEN, "/activate needs a device's enrollment key");
            return;
        }
        Optional<DeviceIdentity> current = service.identityByKey(sessionKey);
        if (current.isPresent() && current.get().state() == DeviceIdentity.State.REVOKED) {
            LOG.warn("/activate refused: identity revoked {}", current.get().name());
            respondError(exchange, ResponseCode.FORBIDDEN, "identity revoked");
            return;
        }
        IdentityActivation activation;
        try {
            activation = IdentityActivation.decode(exchange.getRequestPayload());
        } catch (IdentityFormatException | IllegalArgumentException e) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "activate carries an identity activation: " + e.getMessage());
            return;
        }
        // an activation waits for consensus: acknowledge now so the device does not retransmit
        exchange.accept();
        try {
            service.activate(sessionKey, activation);
        } catch (DeviceServiceException e) {
            LOG.info("activation of {} not served: {}", activation.name(), e.getMessage());
            respondFailure(exchange, e);
            return;
        }
        exchange.respond(ResponseCode.CHANGED);
    }
}
