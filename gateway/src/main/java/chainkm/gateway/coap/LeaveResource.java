package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /leave}, body: the leaving node's id as a 4-byte big-endian int. A device leaves
 * the network by itself: only a device that authenticated as {@code node-<id>} may ask, and only
 * for that same id. The gateway submits the LEAVE in commit mode and answers 2.04 (body: the
 * commit height in decimal text) once the block is committed. 4.03 for a bootstrap identity or
 * for a node asking about another node (nothing is submitted), 4.00 if the body is not 4
 * bytes, 5.03 with the key manager's message when it cannot serve (e.g. the ledger refused).
 */
final class LeaveResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(LeaveResource.class);

    private final DeviceService service;

    LeaveResource(DeviceService service, Executor executor) {
        super("leave", executor);
        this.service = service;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        String identity = Identities.of(exchange);
        OptionalInt self = Identities.nodeIdOf(identity);
        if (self.isEmpty()) {
            respondError(exchange, ResponseCode.FORBIDDEN, "leave needs a node identity");
            return;
        }
        if (exchange.getRequestPayloadSize() != Integer.BYTES) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "leave carries the node's id as a 4-byte big-endian int");
            return;
        }
        int target = ByteBuffer.wrap(exchange.getRequestPayload()).getInt();
        if (target != self.getAsInt()) {
            LOG.warn("refused: '{}' asked to remove node {}", Identities.printable(identity), target);
            respondError(exchange, ResponseCode.FORBIDDEN,
                    "node " + self.getAsInt() + " may only ask to leave for itself, not for node " + target);
            return;
        }
        // a leave waits for consensus: acknowledge now so the device does not retransmit
        exchange.accept();
        long height;
        try {
            height = service.leave(target);
        } catch (DeviceServiceException e) {
            LOG.info("leave of node {} not served: {}", target, e.getMessage());
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        exchange.respond(ResponseCode.CHANGED, Long.toString(height).getBytes(StandardCharsets.US_ASCII),
                MediaTypeRegistry.TEXT_PLAIN);
    }
}
