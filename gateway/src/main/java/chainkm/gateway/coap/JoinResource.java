package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.identity.JoinRequest;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /join} (version 2), body: a {@link JoinRequest} (the device's 32-byte commitment
 * and its identity key's signature over its name and that commitment; 96 bytes). The name is the
 * session identity's, which must be active (an enrollment key only activates). 2.04 with the
 * join bundle; the same bundle again for an identity that joined already (idempotent). 4.00
 * for a body of another size (a 32-byte version 1 body gets a diagnostic saying so); 4.03
 * for an enrollment key, a revoked or unknown key, a signature that does not verify, a ledger
 * refusal (with its code); 5.03 when the join could not be served now (retry).
 */
final class JoinResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(JoinResource.class);
    /** A version 1 body: the commitment alone. */
    static final int V1_SIZE = JoinRequest.COMMITMENT_SIZE;

    private final DeviceService service;

    JoinResource(DeviceService service, Executor executor) {
        super("join", executor);
        this.service = service;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Optional<DevicePeer> peer = DevicePeers.require(exchange, service, getName());
        if (peer.isEmpty()) {
            return;
        }
        if (peer.get().enrollmentSession()) {
            // the one-time enrollment key only activates: whoever else saw the bundle cannot join in the device's place
            LOG.warn("join refused: {} asked with its enrollment key", peer.get());
            respondError(exchange, ResponseCode.FORBIDDEN, "the enrollment key only activates: activate, then join with the identity key");
            return;
        }
        int size = exchange.getRequestPayloadSize();
        if (size == V1_SIZE) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "join v2 carries the commitment and the device's signature ("
                    + JoinRequest.SIZE + " bytes): update the device");
            return;
        }
        JoinRequest request;
        try {
            request = JoinRequest.decode(exchange.getRequestPayload());
        } catch (IdentityFormatException | IllegalArgumentException e) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "join carries a " + JoinRequest.SIZE + "-byte join request");
            return;
        }
        // a join waits for consensus: acknowledge now so the device does not retransmit
        exchange.accept();
        byte[] bundle;
        try {
            bundle = service.join(peer.get(), request);
        } catch (DeviceServiceException e) {
            LOG.info("join of {} not served: {}", peer.get(), e.getMessage());
            respondFailure(exchange, e);
            return;
        }
        if (bundle == null) {
            throw new IllegalStateException("DeviceService.join returned no bundle");
        }
        LOG.info("join bundle sent to {}", peer.get().name());
        respondBytes(exchange, ResponseCode.CHANGED, bundle);
    }
}
