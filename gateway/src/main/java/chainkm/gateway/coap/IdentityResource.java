package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.d2d.NodeIdentity;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code GET /identity/<node>} for a member device session: 2.05 with the {@link NodeIdentity}
 * (node id, identity name, 32-byte Ed25519 key) of member {@code node} from the committed ledger,
 * which a device needs to check that node's D2D signatures; 4.04 if the node is not a member with
 * an active identity, 4.00 for a path that is not {@code identity/<decimal id>}, 4.03 for a
 * session that is not a member device's. Public keys only, which every validator holds anyway;
 * members only, so that outsiders do not learn who is in the network.
 */
final class IdentityResource extends DeviceResource {
    private final DeviceService service;

    IdentityResource(DeviceService service, Executor executor) {
        super("identity", executor);
        this.service = service;
    }

    /** Every path below {@code /identity} is handled here; the id is read from the request path. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        if (DevicePeers.requireMember(exchange, service, getName()).isEmpty()) {
            return;
        }
        List<String> path = exchange.getRequestOptions().getUriPath();
        OptionalInt nodeId = path.size() == 2 ? Identities.parseInt(path.get(1)) : OptionalInt.empty();
        if (nodeId.isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "expected /identity/<decimal node id>");
            return;
        }
        Optional<DeviceIdentity> identity = service.memberIdentity(nodeId.getAsInt());
        if (identity.isEmpty()) {
            respondError(exchange, ResponseCode.NOT_FOUND, "not a member with an active identity");
            return;
        }
        DeviceIdentity i = identity.get();
        respondBytes(exchange, ResponseCode.CONTENT, new NodeIdentity(nodeId.getAsInt(), i.name(), i.key()).encode());
    }
}
