package chainkm.device.objects;

import chainkm.protocol.cose.SignedObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's own resource server: plain CoAP over UDP ({@code objects.port}; no DTLS, the
 * objects protect themselves), {@code GET <path>} (and Observe) of each protected resource
 * answers 2.05 with its latest signed object, Content-Format 18 (COSE_Sign1), the same bytes it
 * pushed to the proxy; 4.04 until the first one.
 */
public final class ObjectServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectServer.class);
    public static final int COSE_SIGN1 = 18;

    private final CoapServer server;
    private final CoapEndpoint endpoint;

    private ObjectServer(CoapServer server, CoapEndpoint endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Serves publisher's resources on bind (port 0: any free port). */
    public static ObjectServer start(ObjectPublisher publisher, InetSocketAddress bind) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS, CoapConfig.DEFINITIONS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        config.set(CoapConfig.MAX_ACTIVE_PEERS, 64);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, 1280);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
        CoapServer server = new CoapServer(config);
        Resource wellKnown = server.getRoot().getChild(".well-known");
        if (wellKnown != null) {
            server.getRoot().delete(wellKnown);
        }
        for (String path : publisher.paths()) {
            Resource at = server.getRoot();
            String[] segments = path.substring(1).split("/", -1);
            for (int i = 0; i < segments.length; i++) {
                Resource c = at.getChild(segments[i]);
                if (c == null) {
                    c = new LatestObject(segments[i]);
                    at.add(c);
                }
                at = c;
            }
            LatestObject leaf = (LatestObject) at;
            publisher.latest(path).ifPresent(leaf::update);
            publisher.addListener((p, o) -> {
                if (p.equals(path)) {
                    leaf.update(o);
                }
            });
        }
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(bind).build();
        server.addEndpoint(endpoint);
        server.start();
        if (!endpoint.isStarted()) {
            server.destroy();
            throw new UncheckedIOException(new IOException("cannot bind the objects' CoAP endpoint to " + bind));
        }
        LOG.info("protected objects served over CoAP on {}: {}", endpoint.getAddress(), publisher.paths());
        return new ObjectServer(server, endpoint);
    }

    public InetSocketAddress address() {
        return endpoint.getAddress();
    }

    @Override
    public void close() {
        server.destroy();
    }

    /** A resource path's node: holds the latest signed object once there is one. */
    private static final class LatestObject extends CoapResource {
        private volatile byte[] bytes;

        LatestObject(String name) {
            super(name);
            setObservable(true);
            setObserveType(Type.CON);
            getAttributes().setObservable();
        }

        void update(SignedObject object) {
            bytes = object.encode();
            changed();
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            byte[] b = bytes;
            if (b == null) {
                exchange.respond(ResponseCode.NOT_FOUND, "no object yet", MediaTypeRegistry.TEXT_PLAIN);
                return;
            }
            exchange.respond(ResponseCode.CONTENT, b, COSE_SIGN1);
        }
    }
}
