package chainkm.gateway.coap;

import chainkm.gateway.keyserver.KeyServer;
import chainkm.gateway.keyserver.KeyServerAnswer;
import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.ForwardedAccess;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /relay/access} on the device endpoint, for other gateways only ({@code gateway-<id>}
 * PSK): another key server forwards an access request it checked ({@link ForwardedAccess}) to
 * this gateway, the device's home, which checks it again at the forwarder's height or later and
 * answers as {@code POST /authz/access} does. 4.03 for any peer that is not a gateway; runs on its
 * own threads, so waiting for a block never holds up the devices' resources.
 */
final class RelayAccessResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(RelayAccessResource.class);

    private final KeyServer keyServer;

    RelayAccessResource(KeyServer keyServer, Executor executor) {
        super("access", executor);
        this.keyServer = keyServer;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        OptionalInt requester = Identities.gatewayIdOf(Identities.pskOf(exchange));
        if (requester.isEmpty()) {
            LOG.warn("key server: /relay/access refused: not a gateway's session");
            KeyServerResponses.respond(exchange, KeyServerAnswer.refused(Outcome.FORBIDDEN,
                    "/relay/access needs a gateway identity"));
            return;
        }
        byte[] body = exchange.getRequestPayload();
        if (body.length > ForwardedAccess.MAX_SIZE) {
            KeyServerResponses.respond(exchange, KeyServerAnswer.refused(Outcome.TOO_LARGE,
                    "a forwarded access request is at most " + ForwardedAccess.MAX_SIZE + " bytes"));
            return;
        }
        ForwardedAccess forwarded;
        try {
            forwarded = ForwardedAccess.decode(body);
        } catch (AuthzFormatException e) {
            LOG.warn("key server: access forwarded by gateway {} refused: malformed: {}", requester.getAsInt(),
                    e.getMessage());
            KeyServerResponses.respond(exchange, KeyServerAnswer.refused(Outcome.BAD_REQUEST,
                    "malformed forwarded access: " + e.getMessage()));
            return;
        }
        exchange.accept();
        KeyServerResponses.respond(exchange, keyServer.forwarded(forwarded, requester.getAsInt()));
    }
}
