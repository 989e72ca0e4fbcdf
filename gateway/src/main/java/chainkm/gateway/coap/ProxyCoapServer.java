package chainkm.gateway.coap;

import chainkm.gateway.proxy.CachedObject;
import chainkm.gateway.proxy.ObjectCache;
import chainkm.protocol.cose.ProtectedResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching proxy's anonymous endpoint: plain CoAP over UDP (no DTLS: the objects protect
 * themselves), {@code proxy_port} in gateway.toml. {@code GET /objects/<device>/<path>} answers
 * 2.05 with the latest cached object of that device's resource, Content-Format 18
 * (application/cose; cose-type="cose-sign1"), the bytes exactly as the device signed them, or
 * 4.04 while none is cached; with Observe (RFC 7641) every newly cached object is notified. Only
 * GET: any other method is 4.05. The resources appear as objects are cached; the endpoint never
 * holds a group key.
 */
public final class ProxyCoapServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyCoapServer.class);
    /** CoAP Content-Format of application/cose; cose-type="cose-sign1" (RFC 9052). */
    public static final int COSE_SIGN1 = 18;
    /** Room for a cached object (at most 1,024 bytes by default) in one datagram. */
    static final int MAX_MESSAGE_SIZE = 1280;

    private final CoapServer server;
    private final CoapResource objects;
    private final CoapEndpoint endpoint;

    private ProxyCoapServer(CoapServer server, CoapResource objects, CoapEndpoint endpoint) {
        this.server = server;
        this.objects = objects;
        this.endpoint = endpoint;
    }

    /**
     * Binds {@code bind} (port 0: an ephemeral port), serves what {@code cache} holds and follows it.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static ProxyCoapServer start(ObjectCache cache, InetSocketAddress bind) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS, CoapConfig.DEFINITIONS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, DtlsProfile.PROTOCOL_THREADS);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, MAX_MESSAGE_SIZE); // requests carry no body here
        CoapServer server = DtlsProfile.server(config, "coap-proxy"); // its threads; no /.well-known/core
        CoapResource objects = new CoapResource("objects");
        server.add(objects);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).setInetSocketAddress(bind).build();
        server.addEndpoint(endpoint);
        ProxyCoapServer proxy = new ProxyCoapServer(server, objects, endpoint);
        cache.addListener(proxy::cached);
        try {
            endpoint.start();
            server.start();
        } catch (IOException e) {
            server.destroy();
            throw new UncheckedIOException("cannot bind the proxy's CoAP endpoint to " + bind, e);
        }
        LOG.info("caching proxy: plain CoAP on {}", endpoint.getAddress());
        return proxy;
    }

    /** The UDP port the endpoint is bound to. */
    public int port() {
        return endpoint.getAddress().getPort();
    }

    /** The resource of a newly cached object (made on first use), told of the new bytes. */
    private synchronized void cached(CachedObject object) {
        ProtectedResource r = object.resource();
        Resource at = child(objects, r.device());
        for (String segment : r.path().substring(1).split("/", -1)) {
            at = child(at, segment);
        }
        ((ObjectResource) at).update(object);
    }

    private static Resource child(Resource parent, String name) {
        Resource c = parent.getChild(name);
        if (c == null) {
            c = new ObjectResource(name);
            parent.add(c);
        }
        return c;
    }

    @Override
    public void close() {
        server.destroy();
        LOG.info("caching proxy on port {} closed", port());
    }
}
