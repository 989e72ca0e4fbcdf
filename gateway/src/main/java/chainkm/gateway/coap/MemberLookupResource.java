package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code GET /<name>/<node id>} for a member device session: 4.03 for a session that is not a
 * member device's, 4.00 for a path that is not exactly {@code <name>/<decimal id>}; otherwise the
 * subclass answers about that node from the committed ledger.
 */
abstract class MemberLookupResource extends DeviceResource {
    final DeviceService service;

    MemberLookupResource(String name, DeviceService service, Executor executor) {
        super(name, executor);
        this.service = service;
    }

    /** Every path below {@code /<name>} is handled here; the id is read from the request path. */
    @Override
    public final Resource getChild(String name) {
        return this;
    }

    @Override
    public final void handleGET(CoapExchange exchange) {
        if (DevicePeers.requireMember(exchange, service, getName()).isEmpty()) {
            return;
        }
        List<String> path = exchange.getRequestOptions().getUriPath();
        OptionalInt nodeId = path.size() == 2 ? Identities.parseInt(path.get(1)) : OptionalInt.empty();
        if (nodeId.isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "expected /" + getName() + "/<decimal node id>");
            return;
        }
        answer(exchange, nodeId.getAsInt());
    }

    /** Responds about node {@code nodeId} to a member's well-formed request. */
    abstract void answer(CoapExchange exchange, int nodeId);
}
