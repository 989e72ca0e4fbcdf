package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /mqtt}: 2.05 with the device's own {@link MqttCredential} on this gateway's broker
 * (user = its device name, password derived by this gateway; client id {@code node-<id>}), for
 * the node of the identity its DTLS session authenticated, never for a node named in the
 * request (it has no query and no body). 4.03 for an identity that has not joined, is revoked
 * or unknown; 5.03 if the ledger does not admit the node or the broker refused it. Answered
 * only inside DTLS, so the password never crosses the network in clear.
 */
final class MqttResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(MqttResource.class);

    private final DeviceService service;
    private final CoapGatewayServer.MqttIssuer issuer;

    MqttResource(DeviceService service, CoapGatewayServer.MqttIssuer issuer, Executor executor) {
        super("mqtt", executor);
        this.service = service;
        this.issuer = issuer;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<DevicePeer> peer = DevicePeers.requireMember(exchange, service, getName());
        if (peer.isEmpty()) {
            return;
        }
        if (exchange.getRequestPayloadSize() != 0 || !exchange.getRequestOptions().getUriQuery().isEmpty()) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "GET /mqtt takes no query and no body");
            return;
        }
        MqttCredential credential;
        try {
            credential = issuer.issue(peer.get().nodeId());
        } catch (IOException e) {
            LOG.info("MQTT credential of {} not issued: {}", peer.get(), e.getMessage());
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        respondBytes(exchange, ResponseCode.CONTENT, credential.encode());
    }
}
