package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.d2d.NodeIdentity;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code GET /identity/<node>} for a member device session: 2.05 with the {@link NodeIdentity}
 * (node id, identity name, 32-byte Ed25519 key) of member {@code node} from the committed ledger,
 * which a device needs to check that node's D2D signatures; 4.04 if the node is not a member with
 * an active identity, 4.00 for a path that is not {@code identity/<decimal id>}, 4.03 for a
 * session that is not a member device's. Public keys only, which every validator holds anyway;
 * members only, so that outsiders do not learn who is in the network.
 */
final class IdentityResource extends MemberLookupResource {
    IdentityResource(DeviceService service, Executor executor) {
        super("identity", service, executor);
    }

    @Override
    void answer(CoapExchange exchange, int nodeId) {
        Optional<DeviceIdentity> identity = service.memberIdentity(nodeId);
        if (identity.isEmpty()) {
            respondError(exchange, ResponseCode.NOT_FOUND, "not a member with an active identity");
            return;
        }
        DeviceIdentity i = identity.get();
        respondBytes(exchange, ResponseCode.CONTENT, new NodeIdentity(nodeId, i.name(), i.key()).encode());
    }
}
