package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.proxy.ObjectAdmission;
import chainkm.gateway.proxy.PushOutcome;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /objects/<path>} on the device endpoint: a device pushes the latest signed protected
 * object of one of its resources to the caching proxy. The device is the active identity whose key
 * its DTLS session presented; the request does not name it. Content-Format 18 (or none), body the
 * tagged COSE_Sign1. Answers 2.04 once cached; 4.00 malformed or not a path, 4.03 not an active
 * device's session, a signature that does not verify as this device's object of this path, a
 * sequence number not above the cached one, or too many resources of this device; 4.13 above the
 * size limit; 4.15 another content format; 5.03 cache full. Rules: {@link ObjectAdmission}.
 */
final class ObjectPushResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectPushResource.class);
    static final String NAME = "objects";

    private final DeviceService service;
    private final ObjectAdmission admission;

    ObjectPushResource(DeviceService service, ObjectAdmission admission, Executor executor) {
        super(NAME, executor);
        this.service = service;
        this.admission = admission;
    }

    /** Every path below {@code /objects} is a resource path of the pushing device. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handlePUT(CoapExchange exchange) {
        Optional<DevicePeer> peer = DevicePeers.require(exchange, service, NAME);
        if (peer.isEmpty()) {
            return;
        }
        if (peer.get().enrollmentSession()) {
            LOG.warn("proxy: object push refused: {} is in an enrollment session (activate first)", peer.get());
            respondError(exchange, ResponseCode.FORBIDDEN, "objects are pushed with the identity key: activate first");
            return;
        }
        int format = exchange.getRequestOptions().getContentFormat();
        if (format != MediaTypeRegistry.UNDEFINED && format != ProxyCoapServer.COSE_SIGN1) {
            LOG.warn("proxy: object push by {} refused: content format {}", peer.get().name(), format);
            respondError(exchange, ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
                    "content format " + ProxyCoapServer.COSE_SIGN1 + " (COSE_Sign1) expected");
            return;
        }
        List<String> segments = exchange.getRequestOptions().getUriPath();
        String path = "/" + String.join("/", segments.subList(1, segments.size()));
        PushOutcome outcome = admission.admit(peer.get().name(), DevicePeers.sessionKey(exchange), path,
                exchange.getRequestPayload());
        if (outcome.isAccepted()) {
            exchange.respond(ResponseCode.CHANGED);
            return;
        }
        ResponseCode code = switch (outcome.refusal()) {
            case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
            case BAD_PATH, MALFORMED -> ResponseCode.BAD_REQUEST;
            case CACHE_FULL -> ResponseCode.SERVICE_UNAVAILABLE;
            case NOT_A_DEVICE, BAD_SIGNATURE, REPLAY, DEVICE_FULL -> ResponseCode.FORBIDDEN;
        };
        respondError(exchange, code, outcome.refusal() + ": " + outcome.reason());
    }
}
