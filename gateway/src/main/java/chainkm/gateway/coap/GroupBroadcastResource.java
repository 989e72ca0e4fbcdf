package chainkm.gateway.coap;

import chainkm.gateway.keyserver.GroupSessions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /authz/group?g=G} on the clients' endpoint, observable (RFC 7641): 2.05 with the
 * signed envelope of group G's latest session ({@code GroupBroadcastEnvelope}, content format
 * application/octet-stream), and a notification at each new session. The same bytes as the
 * retained MQTT message on {@code chainkm/groups/<G>}: this is how clients, which have no broker
 * account, follow a group. Broadcasts are public; any DTLS peer may read them (a member checks
 * the gateway's signature against genesis). 4.04 when this gateway does not manage G (the
 * diagnostic names the device's home gateway: {@code home gateway N}), 4.00 without a valid g.
 */
final class GroupBroadcastResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(GroupBroadcastResource.class);
    static final String QUERY = "g=";

    private final GroupSessions sessions;

    GroupBroadcastResource(GroupSessions sessions, Executor executor) {
        super("group", executor);
        this.sessions = sessions;
        setObservable(true);
        setObserveType(Type.CON);
        getAttributes().setObservable();
        sessions.addListener(group -> changed());
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        List<String> query = exchange.getRequestOptions().getUriQuery();
        if (query.size() != 1 || !query.get(0).startsWith(QUERY) || query.get(0).length() == QUERY.length()
                || query.get(0).indexOf('/') < 0) {
            respondError(exchange, ResponseCode.BAD_REQUEST, "GET /authz/group takes one query g=<device><path>");
            return;
        }
        String group = query.get(0).substring(QUERY.length());
        Optional<byte[]> latest = sessions.latest(group);
        if (latest.isEmpty()) {
            String device = group.substring(0, group.indexOf('/'));
            OptionalInt home = sessions.homeOf(device);
            LOG.debug("/authz/group: no broadcast of {} here", group);
            respondError(exchange, ResponseCode.NOT_FOUND, "no session of group " + group + " here"
                    + (home.isPresent() ? "; home gateway " + home.getAsInt() : "; device " + device + " unknown"));
            return;
        }
        respondBytes(exchange, ResponseCode.CONTENT, latest.get());
    }
}
