package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.protocol.rekey.Rejoin;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /rejoin}, body: a {@link Rejoin.Request} (node id, epoch, next link of the
 * device's hash chain) or a {@link Rejoin.Reanchor} (a new chain's anchor signed by the identity key), from a member whose session identity's node is the one the request
 * names: 2.04 with a {@link Rejoin.Answer}; 4.03 for another node (nothing submitted), an
 * identity that has not joined, is revoked or unknown, or a refused proof; 4.00 for a body of
 * the wrong size; 5.03 when it could not be served now.
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
        Optional<DevicePeer> peer = DevicePeers.requireMember(exchange, service, getName());
        if (peer.isEmpty()) {
            return;
        }
        int size = exchange.getRequestPayloadSize();
        if (size != Rejoin.REQUEST_SIZE && size != Rejoin.REANCHOR_SIZE) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "rejoin carries a " + Rejoin.REQUEST_SIZE
                    + "-byte request (a link) or a " + Rejoin.REANCHOR_SIZE + "-byte one (a re-anchor)");
            return;
        }
        byte[] body = exchange.getRequestPayload();
        int node = ByteBuffer.wrap(body).getInt(); // the request's first field
        if (node != peer.get().nodeId()) {
            LOG.warn("rejoin refused: {} asked to rejoin as node {}", peer.get(), node);
            respondError(exchange, ResponseCode.FORBIDDEN,
                    "node " + peer.get().nodeId() + " may only rejoin as itself, not as node " + node);
            return;
        }
        exchange.accept();
        try {
            respondBytes(exchange, ResponseCode.CHANGED, service.rejoin(peer.get(), body));
        } catch (DeviceServiceException e) {
            LOG.info("rejoin of {} refused: {}", peer.get(), e.getMessage());
            respondFailure(exchange, e);
        }
    }
}
