package chainkm.gateway.coap;

import chainkm.protocol.rekey.CatchUpPayload;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code GET /catchup?after=<seq>} for a joined device ({@code node-<id>} identity): 2.05 with
 * the rekey messages above {@code seq} as a {@link CatchUpPayload} (sent block-wise when large);
 * 4.03 for any other identity; 4.00 without exactly one decimal {@code after}; 5.03 with the
 * key manager's message when it cannot serve.
 */
final class CatchUpResource extends DeviceResource {
    private static final String AFTER = "after=";

    private final DeviceService service;

    CatchUpResource(DeviceService service, Executor executor) {
        super("catchup", executor);
        this.service = service;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        OptionalInt nodeId = Identities.nodeIdOf(Identities.of(exchange));
        if (nodeId.isEmpty()) {
            respondError(exchange, ResponseCode.FORBIDDEN, "catch-up needs a node identity");
            return;
        }
        OptionalLong after = after(exchange.getRequestOptions().getUriQuery());
        if (after.isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "expected exactly one query parameter after=<decimal seq>");
            return;
        }
        List<byte[]> messages;
        try {
            messages = service.catchUp(nodeId.getAsInt(), after.getAsLong());
        } catch (DeviceServiceException e) {
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        respondBytes(exchange, ResponseCode.CONTENT, CatchUpPayload.encode(messages));
    }

    private static OptionalLong after(List<String> query) {
        if (query.size() != 1 || !query.get(0).startsWith(AFTER)) {
            return OptionalLong.empty();
        }
        return Identities.parseLong(query.get(0).substring(AFTER.length()));
    }
}
