package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's device-facing CoAP server: one DTLS 1.2 endpoint (PSK cipher suites only, no
 * plain CoAP), whose pre-shared keys come from the key manager ({@link DeviceService#pskFor}).
 * The PSK authenticates both sides, and the PSK identity decides what a device may ask:
 * <ul>
 *   <li>{@code POST /join} ({@code boot-...} only): 2.04 with the join bundle;</li>
 *   <li>{@code GET /catchup?after=<seq>} ({@code node-<id>} only): 2.05 with the missed rekey
 *       messages, each prefixed by its 4-byte big-endian length (block-wise when large);</li>
 *   <li>{@code GET /node/<id>} (any device): 2.05 with the node's set id as a 4-byte
 *       big-endian int, or 4.04 if it is not a member.</li>
 *   <li>{@code POST /rejoin} ({@code boot-...} only): 2.04 with the rejoin answer ({@link RejoinResource});</li>
 *   <li>{@code GET /relay?node=<id>&after=<seq>} ({@code gateway-<id>} only): the owner's rekey
 *       messages for a node attached to the asking gateway ({@link RelayResource}).</li>
 *   <li>{@code POST /leave} ({@code node-<id>} only, body: that same id): 2.04 once the LEAVE
 *       is committed (see {@link LeaveResource}).</li>
 *   <li>{@code GET /mqtt} ({@code node-<id>} only): 2.05 with the device's own MQTT credential
 *       on this gateway's broker ({@link MqttResource}).</li>
 * </ul>
 * Errors: 4.00 malformed request, 4.03 identity of the wrong kind, 4.04 unknown node or
 * resource, 4.05 wrong method, 5.03 the key manager refused or could not serve (its
 * {@link chainkm.gateway.devices.DeviceServiceException} message is the diagnostic payload),
 * 5.00 unexpected failure. Diagnostics are short plain text.
 *
 * <p>Californium is configured in code only: nothing is read from or written to
 * {@code Californium3.properties}.
 */
public final class CoapGatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoapGatewayServer.class);

    /** The DTLS 1.2 cipher suites offered to devices: PSK only (RFC 7925's mandatory one first). */
    static final CipherSuite[] CIPHER_SUITES = {
        CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    };
    /** CoAP block size and largest unfragmented payload: a block plus headers fits a 1500-byte MTU. */
    static final int BLOCK_SIZE = 1024;
    /** Threads for Californium's protocol stage (matching, dedup, block-wise). */
    static final int PROTOCOL_THREADS = 2;
    /** Threads that receive datagrams, and threads that run DTLS record processing. */
    static final int DTLS_RECEIVER_THREADS = 1;
    static final int DTLS_CONNECTOR_THREADS = 2;
    /** Threads that run the resources: they call the key manager, which may block (a join waits for consensus). */
    static final int SERVICE_THREADS = 4;

    private final CoapServer server;
    private final ExecutorService serviceExecutor;
    private final int port;

    private CoapGatewayServer(CoapServer server, ExecutorService serviceExecutor, int port) {
        this.server = server;
        this.serviceExecutor = serviceExecutor;
        this.port = port;
    }

    /**
     * Binds the DTLS endpoint to {@code bind} (port 0 for an ephemeral port) and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind) {
        return start(service, bind, node -> {
            throw new IOException("this gateway hands out no MQTT credentials");
        });
    }

    /** As {@link #start(DeviceService, InetSocketAddress)}, serving {@code GET /mqtt} with {@code mqtt}. */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, MqttIssuer mqtt) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(bind, "bind");
        Configuration config = configuration();
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(bind)
                .setAdvancedPskStore(new DevicePskStore(service))
                .setLoggingTag("[gateway-coaps]")
                .build();
        DTLSConnector connector = new DTLSConnector(dtls);
        CoapEndpoint endpoint = new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setConnector(connector)
                .build();

        ExecutorService serviceExecutor = Executors.newFixedThreadPool(SERVICE_THREADS, daemonThreads("coap-service-"));
        CoapServer server = new CoapServer(config);
        server.setExecutors(
                ExecutorsUtil.newScheduledThreadPool(PROTOCOL_THREADS, new NamedThreadFactory("coap-gateway#")),
                ExecutorsUtil.newDefaultSecondaryScheduler("coap-gateway-timer#"),
                false);
        // devices have no business browsing: drop Californium's /.well-known/core
        Resource wellKnown = server.getRoot().getChild(".well-known");
        if (wellKnown != null) {
            server.getRoot().delete(wellKnown);
        }
        server.add(new JoinResource(service, serviceExecutor),
                new CatchUpResource(service, serviceExecutor),
                new NodeResource(service, serviceExecutor),
                new RejoinResource(service, serviceExecutor),
                new RelayResource(service, serviceExecutor),
                new LeaveResource(service, serviceExecutor),
                new MqttResource(mqtt, serviceExecutor));
        server.addEndpoint(endpoint);
        try {
            // start the endpoint first, so a bind failure is an exception and not a log line
            endpoint.start();
            server.start();
        } catch (IOException | RuntimeException e) {
            server.destroy();
            serviceExecutor.shutdownNow();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot bind CoAP/DTLS endpoint to " + bind, io);
            }
            throw (RuntimeException) e;
        }
        int port = connector.getAddress().getPort();
        LOG.info("CoAP/DTLS device endpoint listening on {}", connector.getAddress());
        return new CoapGatewayServer(server, serviceExecutor, port);
    }

    /** What serves {@code GET /mqtt}: the credential of a node on this gateway's broker. */
    public interface MqttIssuer {
        MqttCredential issue(int nodeId) throws IOException;
    }

    /** The UDP port the DTLS endpoint is bound to. */
    public int port() {
        return port;
    }

    /** Stops serving and frees the port and every thread. */
    @Override
    public void close() {
        try {
            server.destroy();
        } finally {
            serviceExecutor.shutdownNow();
            try {
                serviceExecutor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("CoAP/DTLS device endpoint on port {} closed", port);
    }

    /** The Californium configuration of the gateway endpoint, built in code from the module defaults. */
    static Configuration configuration() {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, PROTOCOL_THREADS);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, BLOCK_SIZE);
        config.set(CoapConfig.MAX_MESSAGE_SIZE, BLOCK_SIZE);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CIPHER_SUITES);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, DTLS_RECEIVER_THREADS);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, DTLS_CONNECTOR_THREADS);
        return config;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
