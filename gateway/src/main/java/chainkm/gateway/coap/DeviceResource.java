package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceServiceException;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device-facing resource: runs on the gateway's service executor (the key manager may block,
 * a join waits for consensus), never on Californium's protocol threads, and turns any
 * unexpected exception into 5.00 instead of leaving the device to time out.
 */
abstract class DeviceResource extends CoapResource {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceResource.class);
    /** Diagnostic payloads stay well below one block. */
    private static final int MAX_DIAGNOSTIC = 200;

    private final Executor executor;

    DeviceResource(String name, Executor executor) {
        super(name);
        this.executor = executor;
        setVisible(false);
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public void handleRequest(Exchange exchange) {
        try {
            super.handleRequest(exchange);
        } catch (RuntimeException e) {
            LOG.error("CoAP /{} failed", getName(), e);
            if (exchange.getResponse() == null) {
                Response error = new Response(ResponseCode.INTERNAL_SERVER_ERROR, true);
                error.setPayload("internal error");
                error.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
                exchange.sendResponse(error);
            }
        }
    }

    static void respondBytes(CoapExchange exchange, ResponseCode code, byte[] payload) {
        exchange.respond(code, payload, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    }

    /** The answer to a request the device service did not serve: 4.03 for a refusal, 5.03 for a failure that may pass. */
    static void respondFailure(CoapExchange exchange, DeviceServiceException e) {
        respondError(exchange, e.forbidden() ? ResponseCode.FORBIDDEN : ResponseCode.SERVICE_UNAVAILABLE, e.getMessage());
    }

    /** An error response whose diagnostic payload (RFC 7252 §5.5.2) is short printable text. */
    static void respondError(CoapExchange exchange, ResponseCode code, String diagnostic) {
        String text = diagnostic == null ? "" : diagnostic;
        StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX_DIAGNOSTIC));
        for (int i = 0; i < text.length() && i < MAX_DIAGNOSTIC; i++) {
            char c = text.charAt(i);
            safe.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        exchange.respond(code, safe.toString(), MediaTypeRegistry.TEXT_PLAIN);
    }
}
