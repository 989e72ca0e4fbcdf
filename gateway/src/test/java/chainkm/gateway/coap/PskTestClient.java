package chainkm.gateway.coap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * A bare CoAP/DTLS PSK client for the server tests (the device's client lives in the device
 * module, which the gateway does not see). Gives the raw response so tests check codes.
 */
final class PskTestClient implements AutoCloseable {
    static final long TIMEOUT_MS = 10_000;

    private final CoapEndpoint endpoint;
    private final InetSocketAddress server;
    private final long timeoutMs;

    PskTestClient(int port, String identity, byte[] psk) throws IOException {
        this(port, identity, psk, TIMEOUT_MS);
    }

    PskTestClient(int port, String identity, byte[] psk, long timeoutMs) throws IOException {
        this.timeoutMs = timeoutMs;
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        Configuration config = CoapGatewayServer.configuration();
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 4 * 1024 * 1024);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, psk))
                .build();
        endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(new DTLSConnector(dtls)).build();
        try {
            endpoint.start();
        } catch (IOException e) {
            endpoint.destroy();
            throw e;
        }
    }

    /** POST of {@code path} with a 32-byte body (the commitment a join carries). */
    Response post(String path) throws IOException {
        return post(path, new byte[32]);
    }

    Response post(String path, byte[] payload) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath(path);
        request.setPayload(payload);
        return send(request);
    }

    /** GET of {@code path}, with {@code query} ({@code a=b&c=d}, may be empty). */
    Response get(String path, String query) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath(path);
        if (!query.isEmpty()) {
            request.getOptions().setUriQuery(query);
        }
        return send(request);
    }

    Response send(Request request) throws IOException {
        request.setDestinationContext(new AddressEndpointContext(server));
        request.send(endpoint);
        Response response;
        try {
            response = request.waitForResponse(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response == null) {
            request.cancel();
            throw new IOException("no response: send error " + request.getSendError(), request.getSendError());
        }
        return response;
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
