package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.protocol.rekey.Rejoin;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /rejoin}, body: a {@link Rejoin.Request} (node id, epoch, next link of the
 * device's hash chain), over DTLS with a bootstrap identity: 2.04 with a {@link Rejoin.Answer};
 * 4.03 for any other identity; 4.00 for a body of the wrong size; 5.03 with the reason when the
 * proof or the node is refused.
 */
final class RejoinResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(RejoinResource.class);

    private final DeviceService service;

    RejoinResource(DeviceService service, Executor executor) {
        super("rejoin", executor);
        this.service = service;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        String identity = Identities.of(exchange);
        if (!Identities.isBootstrap(identity)) {
            respondError(exchange, ResponseCode.FORBIDDEN, "rejoin needs a bootstrap identity");
            return;
        }
        if (exchange.getRequestPayloadSize() != Rejoin.REQUEST_SIZE) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "rejoin carries a " + Rejoin.REQUEST_SIZE + "-byte request");
            return;
        }
        exchange.accept();
        try {
            respondBytes(exchange, ResponseCode.CHANGED, service.rejoin(identity, exchange.getRequestPayload()));
        } catch (DeviceServiceException e) {
            LOG.info("rejoin from '{}' refused: {}", Identities.printable(identity), e.getMessage());
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
        }
    }
}
