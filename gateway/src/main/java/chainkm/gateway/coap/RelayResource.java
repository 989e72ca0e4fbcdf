package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import chainkm.protocol.rekey.CatchUpPayload;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code GET /relay?node=<id>&after=<seq>} for another gateway ({@code gateway-<id>} identity,
 * keyed by the two gateways' pair secret): 2.05 with the rekey messages this gateway made for a
 * node of its own that is attached to the asking gateway, as a {@link CatchUpPayload}; 4.03 for
 * any other identity; 4.00 for a malformed query; 5.03 with the reason when it cannot serve.
 */
final class RelayResource extends DeviceResource {
    private final DeviceService service;

    RelayResource(DeviceService service, Executor executor) {
        super("relay", executor);
        this.service = service;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        OptionalInt requester = Identities.gatewayIdOf(Identities.pskOf(exchange));
        if (requester.isEmpty()) {
            respondError(exchange, ResponseCode.FORBIDDEN, "relay needs a gateway identity");
            return;
        }
        OptionalInt node = OptionalInt.empty();
        OptionalLong after = OptionalLong.empty();
        List<String> query = exchange.getRequestOptions().getUriQuery();
        for (String q : query) {
            if (q.startsWith("node=") && node.isEmpty()) {
                node = Identities.parseInt(q.substring(5));
            } else if (q.startsWith("after=") && after.isEmpty()) {
                after = Identities.parseLong(q.substring(6));
            } else {
                node = OptionalInt.empty();
                break;
            }
        }
        if (query.size() != 2 || node.isEmpty() || after.isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "expected node=<id>&after=<seq>");
            return;
        }
        try {
            respondBytes(exchange, ResponseCode.CONTENT, CatchUpPayload.encode(
                    service.relay(requester.getAsInt(), node.getAsInt(), after.getAsLong())));
        } catch (DeviceServiceException e) {
            respondFailure(exchange, e); // 4.03 for a gateway the node is not attached to
        }
    }
}
