package chainkm.gateway.coap;

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
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * A bare CoAP/DTLS client for the server tests (the device's client lives in the device module,
 * which the gateway does not see): a device with its Ed25519 raw public key that accepts only
 * the given gateway key, or a peer with a pre-shared key. Gives the raw response so tests check codes.
 */
final class DtlsTestClient implements AutoCloseable {
    static final long TIMEOUT_MS = 10_000;

    private final CoapEndpoint endpoint;
    private final InetSocketAddress server;
    private final long timeoutMs;

    private DtlsTestClient(int port, DtlsConnectorConfig.Builder dtls, Configuration config, long timeoutMs)
            throws IOException {
        this.timeoutMs = timeoutMs;
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        dtls.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(new DTLSConnector(dtls.build())).build();
        try {
            endpoint.start();
        } catch (IOException e) {
            endpoint.destroy();
            throw e;
        }
    }

    private static Configuration clientConfiguration(CipherSuite... suites) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, DtlsProfile.BLOCK_SIZE);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, DtlsProfile.BLOCK_SIZE);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 4 * 1024 * 1024);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, suites);
        return config;
    }

    /** A device authenticating with {@code key}, accepting only {@code gatewayKey} as the server's key. */
    static DtlsTestClient device(int port, Ed25519.KeyPair key, byte[] gatewayKey) throws IOException {
        return device(port, key, gatewayKey, TIMEOUT_MS);
    }

    static DtlsTestClient device(int port, Ed25519.KeyPair key, byte[] gatewayKey, long timeoutMs) throws IOException {
        Configuration config = clientConfiguration(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, DtlsProfile.SIGNATURES);
        config.setAsList(DtlsConfig.DTLS_CURVES, DtlsProfile.CURVES);
        DtlsConnectorConfig.Builder dtls = DtlsConnectorConfig.builder(config)
                .setCertificateIdentityProvider(new SingleCertificateProvider(key.jcaPrivateKey(), key.jcaPublicKey()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(Ed25519.toJcaPublicKey(gatewayKey))).build());
        return new DtlsTestClient(port, dtls, config, timeoutMs);
    }

    /** A peer with a pre-shared key (a gateway, or a device trying the PSK identities of old). */
    static DtlsTestClient psk(int port, String identity, byte[] psk) throws IOException {
        return psk(port, identity, psk, TIMEOUT_MS);
    }

    static DtlsTestClient psk(int port, String identity, byte[] psk, long timeoutMs) throws IOException {
        Configuration config = clientConfiguration(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
        DtlsConnectorConfig.Builder dtls = DtlsConnectorConfig.builder(config)
                .setAdvancedPskStore(new AdvancedSinglePskStore(identity, psk));
        return new DtlsTestClient(port, dtls, config, timeoutMs);
    }

    Response post(String path, byte[] payload) throws IOException {
        Request request = Request.newPost();
        request.getOptions().setUriPath(path);
        request.setPayload(payload);
        return send(request);
    }

    /** PUT of {@code payload} to {@code path} (segments separated by '/') with Content-Format {@code format}. */
    Response put(String path, byte[] payload, int format) throws IOException {
        Request request = Request.newPut();
        request.getOptions().setUriPath(path);
        request.getOptions().setContentFormat(format);
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
