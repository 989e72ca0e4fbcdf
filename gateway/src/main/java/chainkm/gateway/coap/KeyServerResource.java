package chainkm.gateway.coap;

import chainkm.gateway.keyserver.KeyServer;
import chainkm.gateway.keyserver.KeyServerAnswer;
import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AuthzFormatException;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /authz/access} on the clients' endpoint: the key server. The body is an
 * {@link AccessRequest}; the client is the raw public key its DTLS session proved (the handshake
 * is IoTChain's challenge-response proof of possession of the token's key). Answers: 2.05 with
 * an {@code AccessGrant} (content format 261), 4.01 or 4.03 with the reason the token does not
 * cover the request, 4.04 for a device the ledger does not know, 4.00 for a body that does not
 * parse, 4.13 above {@link AccessRequest#MAX_SIZE} bytes, 5.03 when the device's home gateway
 * cannot answer now. Runs on its own threads, so a slow forward never holds up the statement resources.
 */
final class KeyServerResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(KeyServerResource.class);

    private final KeyServer keyServer;

    KeyServerResource(KeyServer keyServer, Executor executor) {
        super("access", executor);
        this.keyServer = keyServer;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        byte[] key = DevicePeers.sessionKey(exchange);
        byte[] body = exchange.getRequestPayload();
        if (key == null) {
            LOG.warn("key server: access refused: the session proved no raw public key");
            KeyServerResponses.respond(exchange, KeyServerAnswer.refused(Outcome.UNAUTHORIZED,
                    "the key server needs a DTLS session with a raw public key"));
            return;
        }
        String client = DevicePeers.shortHex(key);
        if (body.length > AccessRequest.MAX_SIZE) {
            LOG.warn("key server: access for client {} refused: {} bytes, at most {}", client, body.length,
                    AccessRequest.MAX_SIZE);
            KeyServerResponses.respond(exchange, KeyServerAnswer.refused(Outcome.TOO_LARGE,
                    "an access request is at most " + AccessRequest.MAX_SIZE + " bytes, not " + body.length));
            return;
        }
        AccessRequest request;
        try {
            request = AccessRequest.decode(body);
        } catch (AuthzFormatException e) {
            LOG.warn("key server: access for client {} refused: malformed: {}", client, e.getMessage());
            KeyServerResponses.respond(exchange, KeyServerAnswer.refused(Outcome.BAD_REQUEST,
                    "malformed access request: " + e.getMessage()));
            return;
        }
        // the answer may wait for the home gateway: acknowledge now so the client does not retransmit
        exchange.accept();
        KeyServerResponses.respond(exchange, keyServer.access(request, key));
    }
}
