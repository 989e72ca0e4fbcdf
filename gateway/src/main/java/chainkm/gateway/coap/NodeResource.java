package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code GET /node/<id>} for a member (any node id, e.g. to learn a neighbour's set): 2.05 with the node's set id as a
 * 4-byte big-endian int, 4.04 if the committed ledger has no such member, 4.00 if the id is
 * not a decimal int or the path is not exactly {@code node/<id>}, 4.03 for an identity that has
 * not joined, is revoked or unknown.
 */
final class NodeResource extends MemberLookupResource {
    NodeResource(DeviceService service, Executor executor) {
        super("node", service, executor);
    }

    @Override
    void answer(CoapExchange exchange, int nodeId) {
        OptionalInt set = service.setOf(nodeId);
        if (set.isEmpty()) {
            respondError(exchange, ResponseCode.NOT_FOUND, "not a member");
            return;
        }
        respondBytes(exchange, ResponseCode.CONTENT, ByteBuffer.allocate(Integer.BYTES).putInt(set.getAsInt()).array());
    }
}
