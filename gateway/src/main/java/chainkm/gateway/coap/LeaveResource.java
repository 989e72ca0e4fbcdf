package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.protocol.identity.IdentityFormatException;
import chainkm.protocol.identity.LeaveRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /leave} (version 2), body: a {@link LeaveRequest} (the node id and the device's
 * signature over its name and that id; 68 bytes). A device leaves by itself: the node must be
 * the session identity's own (else 4.03, nothing submitted); the LEAVE carries the device's
 * signature, which the ledger checks. 2.04 (body: the commit height in decimal text) once the
 * block is committed; 4.00 for a malformed body; 4.03 for a non-member, a revoked identity or a
 * ledger refusal; 5.03 when the leave could not be served now.
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
        Optional<DevicePeer> peer = DevicePeers.requireMember(exchange, service, getName());
        if (peer.isEmpty()) {
            return;
        }
        LeaveRequest request;
        try {
            request = LeaveRequest.decode(exchange.getRequestPayload());
        } catch (IdentityFormatException | IllegalArgumentException e) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "leave carries a " + LeaveRequest.SIZE + "-byte leave request");
            return;
        }
        int self = peer.get().nodeId();
        if (request.nodeId() != self) {
            LOG.warn("leave refused: {} asked to remove node {}", peer.get(), request.nodeId());
            respondError(exchange, ResponseCode.FORBIDDEN,
                    "node " + self + " may only ask to leave for itself, not for node " + request.nodeId());
            return;
        }
        // a leave waits for consensus: acknowledge now so the device does not retransmit
        exchange.accept();
        long height;
        try {
            height = service.leave(peer.get(), request);
        } catch (DeviceServiceException e) {
            LOG.info("leave of {} not served: {}", peer.get(), e.getMessage());
            respondFailure(exchange, e);
            return;
        }
        exchange.respond(ResponseCode.CHANGED, Long.toString(height).getBytes(StandardCharsets.US_ASCII),
                MediaTypeRegistry.TEXT_PLAIN);
    }
}
