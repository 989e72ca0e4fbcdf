package chainkm.cli.authz;

import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * An authorization client (a resource owner or a client: an Ed25519 key pair, not a ledger
 * identity) on a gateway's client endpoint ({@code authz_port}): DTLS with its raw public key,
 * accepting only the gateway's key (so a man in the middle gets no statement and hands out no
 * key material), posting to {@code /authz/...}. Gives the raw CoAP response: the commands map
 * codes and diagnostics to their output, tests check them.
 */
public final class ClientEndpoint implements AutoCloseable {
    /** Long enough for a block (the answer comes after commit). */
    public static final long TIMEOUT_MS = 60_000;

    private final CoapEndpoint endpoint;
    private final InetSocketAddress server;

    private ClientEndpoint(CoapEndpoint endpoint, InetSocketAddress server) {
        this.endpoint = endpoint;
        this.server = server;
    }

    /** Connects to a gateway on the loopback address: {@link #connect(InetSocketAddress, Ed25519.KeyPair, byte[])}. */
    public static ClientEndpoint connect(int port, Ed25519.KeyPair key, byte[] gatewayKey) throws IOException {
        return connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), key, gatewayKey);
    }

    /**
     * Connects (lazily: the handshake runs with the first request) to the gateway's client
     * endpoint at {@code gateway}, whose signing key is {@code gatewayKey}, as {@code key}.
     */
    public static ClientEndpoint connect(InetSocketAddress gateway, Ed25519.KeyPair key, byte[] gatewayKey) throws IOException {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, 1024);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519);
        config.setAsList(DtlsConfig.DTLS_CURVES, SupportedGroup.X25519, SupportedGroup.secp256r1);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(gateway.getAddress().isLoopbackAddress() ? InetAddress.getLoopbackAddress() : null, 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(key.jcaPrivateKey(), key.jcaPublicKey()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(Ed25519.toJcaPublicKey(gatewayKey))).build())
                .build();
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setConnector(new DTLSConnector(dtls)).build();
        try {
            endpoint.start();
        } catch (IOException e) {
            endpoint.destroy();
            throw e;
        }
        return new ClientEndpoint(endpoint, gateway);
    }

    /** POST of {@code body} to {@code /authz/<what>} ({@code policy}, {@code policy-remove}, {@code token}, {@code token-delete}...). */
    public Response post(String what, byte[] statement) throws IOException {
        return post(what, statement, TIMEOUT_MS);
    }

    /** As {@link #post(String, byte[])}, waiting at most {@code timeoutMs} for the answer (handshake included). */
    public Response post(String what, byte[] statement, long timeoutMs) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath("authz/" + what);
        request.setPayload(statement);
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
            throw new IOException("no response from the gateway: " + request.getSendError(), request.getSendError());
        }
        return response;
    }

    /** A GET of {@code /authz/<what>?<query>}, waiting at most {@code timeoutMs}. */
    public Response get(String what, String query, long timeoutMs) throws IOException {
        Request request = Request.newGet();
        request.getOptions().setUriPath("authz/" + what);
        request.getOptions().addUriQuery(query);
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
            throw new IOException("no response from the gateway: " + request.getSendError(), request.getSendError());
        }
        return response;
    }

    /**
     * Observes {@code /authz/<what>?<query>} (RFC 7641): {@code onResponse} gets the first answer
     * and every notification, on Californium's threads. Returns the request; cancel it to stop.
     */
    public Request observe(String what, String query, java.util.function.Consumer<Response> onResponse) {
        Request request = Request.newGet();
        request.getOptions().setUriPath("authz/" + what);
        request.getOptions().addUriQuery(query);
        request.setObserve();
        request.setDestinationContext(new AddressEndpointContext(server));
        request.addMessageObserver(new org.eclipse.californium.core.coap.MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                onResponse.accept(response);
            }
        });
        request.send(endpoint);
        return request;
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
