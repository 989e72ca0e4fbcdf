package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.keyserver.GroupSessions;
import chainkm.protocol.groupkey.DeviceGroupGrant;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /group?path=P} on the device endpoint: 2.05 with a {@link DeviceGroupGrant} (the
 * device's personal secret in the group of its own resource P, G = its name + P, and the session
 * from which it holds keys), for the device its DTLS session authenticated, never another: a
 * device is a member only of its own resources' groups. 4.03 for an identity that has not joined
 * (or is revoked), 4.04 when this gateway is not the device's home, 4.00 for a bad path, 5.03 when
 * the group's secrets cannot be read.
 */
final class DeviceGroupResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceGroupResource.class);
    static final String QUERY = "path=";

    private final DeviceService service;
    private final GroupSessions sessions;

    DeviceGroupResource(DeviceService service, GroupSessions sessions, Executor executor) {
        super("group", executor);
        this.service = service;
        this.sessions = sessions;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<DevicePeer> peer = DevicePeers.requireMember(exchange, service, getName());
        if (peer.isEmpty()) {
            return;
        }
        List<String> query = exchange.getRequestOptions().getUriQuery();
        String path = query.size() == 1 && query.get(0).startsWith(QUERY) ? query.get(0).substring(QUERY.length()) : "";
        String device = peer.get().name();
        if (!validPath(path) || device.length() + path.length() > 255) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "GET /group takes one query path=/<resource> (printable "
                    + "ASCII without spaces; device name and path at most 255 characters)");
            return;
        }
        DeviceGroupGrant grant;
        try {
            grant = sessions.deviceGrant(device, path);
        } catch (GroupSessions.NotHomeException e) {
            LOG.warn("/group for {}{} refused: {}", device, path, e.getMessage());
            respondError(exchange, ResponseCode.NOT_FOUND, e.getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            LOG.error("/group for {}{}: the group's secrets are unavailable: {}", device, path, e.getMessage());
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, "the group's secrets are unavailable here");
            return;
        }
        LOG.info("/group: device {} is a member of group {} from session {}", device, grant.group(), grant.session());
        respondBytes(exchange, ResponseCode.CONTENT, grant.encode());
    }

    static boolean validPath(String path) {
        return path.startsWith("/") && path.length() <= 255 && path.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
