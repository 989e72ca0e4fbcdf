package chainkm.gateway.coap;

import chainkm.gateway.keyserver.GroupSessions;
import chainkm.gateway.keyserver.KeyServer;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP/DTLS endpoint for authorization clients (resource owners and clients: key
 * pairs that are not ledger identities), on its own port ({@code authz_port}), apart from the
 * device endpoint: there only ledger device identities pass the handshake, here any Ed25519 raw
 * public key does ({@link ClientKeyVerifier}), and only {@code POST /authz/policy},
 * {@code /authz/policy-remove}, {@code /authz/token} and {@code /authz/token-delete} exist
 * ({@link AuthzStatementResource}), and the key server's {@code POST /authz/access}
 * ({@link KeyServerResource}), on threads of its own. Why a separate port: docs/authorization.md,
 * "Clients reach the ledger".
 * Same DTLS profile as the device endpoint ({@link DtlsProfile}), with only
 * TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 and no PSK.
 */
public final class ClientCoapServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCoapServer.class);
    /** Threads that run the resources: each waits for its block. */
    static final int SERVICE_THREADS = 4;
    /** Threads of the key server: a forward to a home gateway may wait seconds, the statements go on meanwhile. */
    static final int KEY_SERVER_THREADS = 4;

    private final CoapServer server;
    private final ExecutorService serviceExecutor;
    private final ExecutorService keyServerExecutor;
    private final int port;

    private ClientCoapServer(CoapServer server, ExecutorService serviceExecutor, ExecutorService keyServerExecutor,
                             int port) {
        this.server = server;
        this.serviceExecutor = serviceExecutor;
        this.keyServerExecutor = keyServerExecutor;
        this.port = port;
    }

    /**
     * Binds the clients' DTLS endpoint to {@code bind} (port 0 for an ephemeral port) and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static ClientCoapServer start(StatementRelay relay, InetSocketAddress bind, Ed25519.KeyPair gatewayKey) {
        return start(relay, null, bind, gatewayKey);
    }

    /**
     * As {@link #start(StatementRelay, InetSocketAddress, Ed25519.KeyPair)}, with the key server on
     * {@code POST /authz/access} (none when {@code keyServer} is null).
     */
    public static ClientCoapServer start(StatementRelay relay, KeyServer keyServer, InetSocketAddress bind,
                                         Ed25519.KeyPair gatewayKey) {
        return start(relay, keyServer, null, bind, gatewayKey);
    }

    /** As above, also serving the group session broadcasts on {@code GET /authz/group?g=G} (Observe) when {@code groups} is not null. */
    public static ClientCoapServer start(StatementRelay relay, KeyServer keyServer, GroupSessions groups,
                                         InetSocketAddress bind, Ed25519.KeyPair gatewayKey) {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(gatewayKey, "gatewayKey");
        Configuration config = DtlsProfile.configuration(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        DtlsConnectorConfig dtls = DtlsProfile.connector(config, bind, gatewayKey, new ClientKeyVerifier(), "[gateway-authz]")
                .build();
        DTLSConnector connector = new DTLSConnector(dtls);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build();

        ExecutorService serviceExecutor = DtlsProfile.serviceExecutor(SERVICE_THREADS, "coap-authz-");
        CoapServer server = DtlsProfile.server(config, "coap-authz");
        CoapResource authz = new CoapResource("authz");
        authz.setVisible(false);
        authz.add(AuthzStatementResource.all(relay, serviceExecutor));
        ExecutorService keyServerExecutor = DtlsProfile.serviceExecutor(KEY_SERVER_THREADS, "coap-keyserver-");
        if (keyServer != null) {
            authz.add(new KeyServerResource(keyServer, keyServerExecutor));
        }
        if (groups != null) {
            authz.add(new GroupBroadcastResource(groups, serviceExecutor));
        }
        server.add(authz);
        try {
            DtlsProfile.start(server, endpoint, serviceExecutor, "cannot bind the clients' CoAP/DTLS endpoint to " + bind);
        } catch (RuntimeException e) {
            keyServerExecutor.shutdownNow();
            throw e;
        }
        int port = connector.getAddress().getPort();
        LOG.info("CoAP/DTLS client endpoint (authorization) listening on {}", connector.getAddress());
        return new ClientCoapServer(server, serviceExecutor, keyServerExecutor, port);
    }

    /** The UDP port the endpoint is bound to. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        keyServerExecutor.shutdownNow();
        DtlsProfile.stop(server, serviceExecutor);
        LOG.info("CoAP/DTLS client endpoint on port {} closed", port);
    }
}
