package chainkm.gateway.coap;

import chainkm.gateway.devices.OwnerGateway;
import chainkm.protocol.rekey.CatchUpPayload;
import chainkm.protocol.rekey.MessageFormatException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

/**
 * This gateway's CoAP/DTLS client to another gateway's device endpoint, as {@code gateway-<id>}
 * with a key derived from the two gateways' pair secret: fetches the owner's rekey messages for
 * a node attached here ({@code GET /relay}; the messages are sealed for the device and signed
 * by the owner, so relaying them teaches this gateway no key), and forwards a client's checked
 * access request to the key server of the device's home gateway ({@code POST /relay/access}).
 */
public final class PeerGatewayClient implements OwnerGateway, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerGatewayClient.class);
    private static final int BLOCK_SIZE = 1024;
    private static final int MAX_BODY_SIZE = 2 * 1024 * 1024;
    /** A forwarded access request may wait at the home gateway for a block ({@code KeyServer.CATCH_UP}). */
    static final Duration ACCESS_TIMEOUT = Duration.ofSeconds(5);

    private final InetSocketAddress peer;
    private final Duration timeout;
    private final CoapEndpoint endpoint;
    private final DTLSConnector connector;

    public PeerGatewayClient(InetSocketAddress peer, String identity, byte[] psk, Duration timeout) throws IOException {
        this.peer = peer;
        this.timeout = timeout;
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, BLOCK_SIZE);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, BLOCK_SIZE);
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, MAX_BODY_SIZE);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, psk))
                .setLoggingTag("[relay-coaps]")
                .build();
        connector = new DTLSConnector(dtls);
        endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build();
        endpoint.start();
    }

    @Override
    public List<byte[]> relay(int node, long afterSeq) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("relay").addUriQuery("node=" + node).addUriQuery("after=" + afterSeq);
        request.setDestinationContext(new AddressEndpointContext(peer));
        request.setMaxResourceBodySize(MAX_BODY_SIZE);
        request.send(endpoint);
        Response response;
        try {
            response = request.waitForResponse(timeout.toMillis());
        } catch (InterruptedException e) {
            request.cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("relay request interrupted");
        }
        if (response == null) {
            request.cancel();
            throw new IOException("gateway at " + peer + " did not answer GET /relay within " + timeout.toMillis() + " ms");
        }
        if (response.getCode() != ResponseCode.CONTENT) {
            throw new IOException("gateway at " + peer + " refused GET /relay: " + response.getCode() + " "
                    + response.getPayloadString().replaceAll("[^\\x20-\\x7e]", "?"));
        }
        try {
            return CatchUpPayload.decode(response.getPayload());
        } catch (MessageFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * {@code POST /relay/access} with {@code forwarded} (a {@code ForwardedAccess}): the home key
     * server's response. A peer that restarted has forgotten the DTLS session this client still
     * holds and drops its records silently: after a first silence the session is dropped here
     * and the request tried once more with a fresh handshake (so a silent home answers 5.03 after twice
     * {@code ACCESS_TIMEOUT}).
     */
    public Response forwardAccess(byte[] forwarded) throws IOException {
        try {
            return forwardAccessOnce(forwarded, ACCESS_TIMEOUT);
        } catch (java.net.SocketTimeoutException e) {
            LOG.info("gateway at {} did not answer POST /relay/access: new DTLS handshake, one more try", peer);
            resetSession();
            try {
                return forwardAccessOnce(forwarded, ACCESS_TIMEOUT);
            } catch (java.net.SocketTimeoutException again) {
                throw new IOException(again.getMessage(), again);
            }
        }
    }

    private Response forwardAccessOnce(byte[] forwarded, Duration timeout) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("relay/access");
        request.setPayload(forwarded);
        request.setDestinationContext(new AddressEndpointContext(peer));
        request.send(endpoint);
        Response response;
        try {
            response = request.waitForResponse(timeout.toMillis());
        } catch (InterruptedException e) {
            request.cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("access forward interrupted");
        }
        if (response == null) {
            request.cancel();
            throw new java.net.SocketTimeoutException("gateway at " + peer + " did not answer POST /relay/access within "
                    + timeout.toMillis() + " ms");
        }
        return response;
    }

    /**
     * Forgets the DTLS session with the peer, so that the next request makes a new handshake: a
     * peer that restarted has lost the session and silently drops what is sent in it.
     */
    public void resetSession() {
        connector.clearConnectionState();
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
