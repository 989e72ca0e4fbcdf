package chainkm.gateway.coap;

import chainkm.protocol.rekey.CatchUpPayload;
import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.devices.DeviceServiceException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code GET /catchup?after=<seq>} for a member (its session identity's node): 2.05 with the
 * rekey messages above {@code seq} as a {@link CatchUpPayload} (sent block-wise when large);
 * 4.03 for an identity that has not joined, is revoked or unknown; 4.00 without exactly one
 * decimal {@code after}; 5.03 with the key manager's message when it cannot serve.
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
        Optional<DevicePeer> peer = DevicePeers.requireMember(exchange, service, getName());
        if (peer.isEmpty()) {
            return;
        }
        OptionalLong after = after(exchange.getRequestOptions().getUriQuery());
        if (after.isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "expected exactly one query parameter after=<decimal seq>");
            return;
        }
        List<byte[]> messages;
        try {
            messages = service.catchUp(peer.get().nodeId(), after.getAsLong());
        } catch (DeviceServiceException e) {
            respondFailure(exchange, e);
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
