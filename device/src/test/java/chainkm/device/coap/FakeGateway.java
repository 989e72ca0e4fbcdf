package chainkm.device.coap;

import chainkm.protocol.rekey.CatchUpPayload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedMultiPskStore;

/**
 * A stand-in for the gateway's CoAP/DTLS endpoints (the real one is in the gateway module,
 * which the device does not see): same paths, codes and payloads, canned answers. The real
 * server has its own tests in the gateway module.
 */
final class FakeGateway implements AutoCloseable {
    final Map<String, byte[]> bundles = new ConcurrentHashMap<>();
    final Map<Integer, Integer> sets = new ConcurrentHashMap<>();
    volatile List<byte[]> rekeys = List.of();
    volatile String refusal;
    /** "identity request" for every request served, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    private final CoapServer server;
    private final DTLSConnector connector;

    FakeGateway(Map<String, byte[]> psks) throws IOException {
        AdvancedMultiPskStore store = new AdvancedMultiPskStore();
        psks.forEach(store::setKey);
        Configuration config = GatewayCoapClient.configuration();
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setAdvancedPskStore(store)
                .build());
        server = new CoapServer(config);
        server.add(new Join(), new CatchUp(), new Node());
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build());
        server.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), connector.getAddress().getPort());
    }

    @Override
    public void close() {
        server.destroy();
    }

    private String identity(CoapExchange exchange, String request) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        String identity = ((PreSharedKeyIdentity) peer).getIdentity();
        requests.add(identity + " " + request);
        return identity;
    }

    private final class Join extends CoapResource {
        Join() {
            super("join");
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            String identity = identity(exchange, "join");
            if (!identity.startsWith("boot-")) {
                exchange.respond(ResponseCode.FORBIDDEN, "join needs a bootstrap identity");
            } else if (refusal != null) {
                exchange.respond(ResponseCode.SERVICE_UNAVAILABLE, refusal);
            } else {
                exchange.respond(ResponseCode.CHANGED, bundles.get(identity), MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            }
        }
    }

    private final class CatchUp extends CoapResource {
        CatchUp() {
            super("catchup");
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            identity(exchange, "catchup?" + exchange.getRequestOptions().getUriQueryString());
            exchange.respond(ResponseCode.CONTENT, CatchUpPayload.encode(rekeys), MediaTypeRegistry.APPLICATION_OCTET_STREAM);
        }
    }

    private final class Node extends CoapResource {
        Node() {
            super("node");
        }

        @Override
        public Resource getChild(String name) {
            return this;
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            String path = exchange.getRequestOptions().getUriPathString();
            identity(exchange, path);
            Integer set;
            try {
                set = sets.get(Integer.parseInt(path.substring("node/".length())));
            } catch (RuntimeException e) {
                exchange.respond(ResponseCode.BAD_REQUEST, "expected /node/<decimal node id>");
                return;
            }
            if (set == null) {
                exchange.respond(ResponseCode.NOT_FOUND, "not a member");
            } else {
                exchange.respond(ResponseCode.CONTENT, ByteBuffer.allocate(4).putInt(set).array(),
                        MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            }
        }
    }
}
