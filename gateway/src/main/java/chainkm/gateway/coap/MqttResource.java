package chainkm.gateway.coap;

import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /mqtt}: 2.05 with the device's own {@link MqttCredential} on this gateway's broker
 * (user = its name, password derived by this gateway; client id {@code node-<id>}), for the
 * node its DTLS session authenticated, never for a node named in the request (it has no
 * query and no body). 4.03 without a node identity; 5.03 if the ledger does not admit the
 * node (not a member, revoked) or the broker refused it. Answered only inside DTLS, so the
 * password never crosses the network in clear.
 */
final class MqttResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(MqttResource.class);

    private final CoapGatewayServer.MqttIssuer issuer;

    MqttResource(CoapGatewayServer.MqttIssuer issuer, Executor executor) {
        super("mqtt", executor);
        this.issuer = issuer;
    }

    /**
     * The node the DTLS layer authenticated. Today the {@code node-<id>} PSK identity; with raw
     * public keys this becomes the node of the ledger identity the key maps to.
     */
    static OptionalInt authenticatedNode(CoapExchange exchange) {
        return Identities.nodeIdOf(Identities.of(exchange));
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        OptionalInt node = authenticatedNode(exchange);
        if (node.isEmpty()) {
            LOG.info("GET /mqtt refused: '{}' is not a joined device", Identities.printable(Identities.of(exchange)));
            respondError(exchange, ResponseCode.FORBIDDEN, "an MQTT credential needs a node identity");
            return;
        }
        if (exchange.getRequestPayloadSize() != 0 || !exchange.getRequestOptions().getUriQuery().isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "GET /mqtt takes no query and no body");
            return;
        }
        MqttCredential credential;
        try {
            credential = issuer.issue(node.getAsInt());
        } catch (IOException e) {
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        respondBytes(exchange, ResponseCode.CONTENT, credential.encode());
    }
}
