package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /join}, body: the device's 32-byte rejoin-chain anchor, for a device that authenticated with its bootstrap identity:
 * 2.04 with the join bundle; 4.03 for any other identity; 4.00 if the body is not 32 bytes; 5.03
 * with the key manager's message when it cannot serve the join (the device may retry: join is
 * idempotent).
 */
final class JoinResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(JoinResource.class);

    private final DeviceService service;

    JoinResource(DeviceService service, Executor executor) {
        super("join", executor);
        this.service = service;
    }

    static final int COMMITMENT_SIZE = 32;

    @Override
    public void handlePOST(CoapExchange exchange) {
        String identity = Identities.of(exchange);
        if (!Identities.isBootstrap(identity)) {
            respondError(exchange, ResponseCode.FORBIDDEN, "join needs a bootstrap identity");
            return;
        }
        if (exchange.getRequestPayloadSize() != COMMITMENT_SIZE) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "join carries the device's 32-byte commitment");
            return;
        }
        byte[] commitment = exchange.getRequestPayload();
        // a join waits for consensus: acknowledge now so the device does not retransmit
        exchange.accept();
        byte[] bundle;
        try {
            bundle = service.join(identity, commitment);
        } catch (DeviceServiceException e) {
            LOG.info("join of '{}' not served: {}", Identities.printable(identity), e.getMessage());
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        if (bundle == null) {
            throw new IllegalStateException("DeviceService.join returned no bundle");
        }
        LOG.info("join bundle sent to '{}'", Identities.printable(identity));
        respondBytes(exchange, ResponseCode.CHANGED, bundle);
    }
}
