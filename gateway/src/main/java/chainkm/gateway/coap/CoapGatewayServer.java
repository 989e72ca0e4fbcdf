package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.keyserver.GroupSessions;
import chainkm.gateway.keyserver.KeyServer;
import chainkm.gateway.proxy.ObjectAdmission;
import chainkm.protocol.crypto.Ed25519;
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
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's device-facing CoAP server: one DTLS 1.2 endpoint, no plain CoAP.
 * <ul>
 *   <li>Devices authenticate with raw public keys (RFC 7250), Ed25519 on both sides:
 *       the gateway presents its own signing key ({@code gateway.key}, the trust anchor in every
 *       device bundle) and requires the device's, which must be the current key of a ledger
 *       identity that is not revoked ({@link DeviceKeyVerifier}). Cipher suite
 *       TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (RFC 7925), signature INTRINSIC_WITH_ED25519,
 *       ECDHE over X25519 or secp256r1.</li>
 *   <li>Other gateways of the consortium authenticate with a pre-shared key
 *       ({@code gateway-<id>}, from the two gateways' pair secret) and may only use
 *       {@code /relay}. Devices have no PSK.</li>
 * </ul>
 * Who a device is, is decided for every request from its session's key and the committed
 * ledger ({@link DevicePeers}), so a revocation takes effect without a new handshake:
 * <ul>
 *   <li>{@code POST /activate} (the session's key is the enrolled key of the identity named in
 *       the body): 2.04 once the ACTIVATE is committed ({@link ActivateResource});</li>
 *   <li>{@code POST /join} (an enrolled or active identity, body {@code JoinRequest}): 2.04 with
 *       the join bundle, the same again for an identity that joined ({@link JoinResource});</li>
 *   <li>{@code GET /catchup?after=<seq>} (a member): 2.05 with the missed rekey messages of
 *       its node, each prefixed by its 4-byte big-endian length (block-wise when large);</li>
 *   <li>{@code GET /node/<id>} (a member): 2.05 with the node's set id as a 4-byte big-endian
 *       int, or 4.04 if it is not a member;</li>
 *   <li>{@code GET /identity/<id>} (a member): 2.05 with the node's identity name and Ed25519
 *       key, to check its D2D signatures, or 4.04 if it is not a member ({@link IdentityResource});</li>
 *   <li>{@code POST /rejoin} (a member, for its own node): 2.04 with the rejoin answer ({@link RejoinResource});</li>
 *   <li>{@code POST /leave} (a member, for its own node, body {@code LeaveRequest}): 2.04 once
 *       the LEAVE is committed ({@link LeaveResource});</li>
 *   <li>{@code GET /mqtt} (a member): 2.05 with the device's own MQTT credential on this
 *       gateway's broker ({@link MqttResource});</li>
 *   <li>{@code GET /relay?node=<id>&after=<seq>} ({@code gateway-<id>} PSK only): the owner's
 *       rekey messages for a node attached to the asking gateway ({@link RelayResource});</li>
 *   <li>{@code POST /relay/access} ({@code gateway-<id>} PSK only): an access request another
 *       gateway's key server checked and forwards to this one, the device's home
 *       ({@link RelayAccessResource}, on threads of its own);</li>
 *   <li>{@code PUT /objects/<path>} (an active device, with its identity key): the latest signed
 *       protected object of one of its resources, for the caching proxy ({@link ObjectPushResource}).</li>
 * </ul>
 * Errors: 4.00 malformed request; 4.03 not this peer's to ask (wrong kind of peer, a revoked or
 * unknown identity, another node's id, not a member yet) or refused by the ledger (diagnostic:
 * the reason and the ledger's code); 4.04 unknown node or resource; 4.05 wrong method; 5.03 the
 * key manager could not serve now (retry); 5.00 unexpected failure. Diagnostics are short plain text.
 *
 * <p>The DTLS profile it shares with the clients' endpoint: {@link DtlsProfile}.
 */
public final class CoapGatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoapGatewayServer.class);

    /**
     * The DTLS 1.2 cipher suites: RFC 7925's mandatory certificate suite for devices (raw public
     * keys; "ECDSA" covers EdDSA in Scandium), then the PSK suites of gateway peers.
     */
    static final CipherSuite[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
        CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    };
    /** Threads that run the resources: they call the key manager, which may block (a join waits for consensus). */
    static final int SERVICE_THREADS = 4;
    /** Threads of the forwarded access requests: each may wait for a block, the devices' resources go on meanwhile. */
    static final int RELAY_ACCESS_THREADS = 2;

    private final CoapServer server;
    private final ExecutorService serviceExecutor;
    private final ExecutorService relayAccessExecutor;
    private final int port;

    private CoapGatewayServer(CoapServer server, ExecutorService serviceExecutor, ExecutorService relayAccessExecutor,
                              int port) {
        this.server = server;
        this.serviceExecutor = serviceExecutor;
        this.relayAccessExecutor = relayAccessExecutor;
        this.port = port;
    }

    /**
     * Binds the DTLS endpoint to {@code bind} (port 0 for an ephemeral port) and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, Ed25519.KeyPair gatewayKey) {
        return start(service, bind, gatewayKey, node -> {
            throw new IOException("this gateway hands out no MQTT credentials");
        });
    }

    /**
     * As {@link #start(DeviceService, InetSocketAddress, Ed25519.KeyPair)}, serving {@code GET /mqtt} with {@code mqtt}.
     *
     * @param gatewayKey the gateway's signing key: its DTLS raw public key
     */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, Ed25519.KeyPair gatewayKey,
                                          MqttIssuer mqtt) {
        return start(service, bind, gatewayKey, mqtt, null);
    }

    /**
     * As {@link #start(DeviceService, InetSocketAddress, Ed25519.KeyPair, MqttIssuer)}, serving
     * {@code POST /relay/access} with {@code keyServer} (none when it is null).
     */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, Ed25519.KeyPair gatewayKey,
                                          MqttIssuer mqtt, KeyServer keyServer) {
        return start(service, bind, gatewayKey, mqtt, keyServer, null, null);
    }

    /** As above, also serving {@code GET /group?path=P} (a device's membership in its own resources' groups) when {@code groups} is not null. */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, Ed25519.KeyPair gatewayKey,
                                          MqttIssuer mqtt, KeyServer keyServer, GroupSessions groups) {
        return start(service, bind, gatewayKey, mqtt, keyServer, groups, null);
    }

    /** As above, serving {@code PUT /objects/<path>} into the caching proxy's {@code objects} (none when it is null). */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, Ed25519.KeyPair gatewayKey,
                                          MqttIssuer mqtt, KeyServer keyServer, ObjectAdmission objects) {
        return start(service, bind, gatewayKey, mqtt, keyServer, null, objects);
    }

    /** The device endpoint with the group membership resource and the caching proxy's push resource (each when not null). */
    public static CoapGatewayServer start(DeviceService service, InetSocketAddress bind, Ed25519.KeyPair gatewayKey,
                                          MqttIssuer mqtt, KeyServer keyServer, GroupSessions groups,
                                          ObjectAdmission objects) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(gatewayKey, "gatewayKey");
        Configuration config = DtlsProfile.configuration(CIPHER_SUITES);
        DtlsConnectorConfig dtls = DtlsProfile.connector(config, bind, gatewayKey, new DeviceKeyVerifier(service),
                        "[gateway-coaps]")
                .setAdvancedPskStore(new PeerGatewayPskStore(service))
                .build();
        DTLSConnector connector = new DTLSConnector(dtls);
        CoapEndpoint endpoint = new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setConnector(connector)
                .build();

        ExecutorService serviceExecutor = DtlsProfile.serviceExecutor(SERVICE_THREADS, "coap-service-");
        CoapServer server = DtlsProfile.server(config, "coap-gateway");
        RelayResource relay = new RelayResource(service, serviceExecutor);
        ExecutorService relayAccessExecutor = DtlsProfile.serviceExecutor(RELAY_ACCESS_THREADS, "coap-relay-access-");
        if (keyServer != null) {
            relay.add(new RelayAccessResource(keyServer, relayAccessExecutor));
        }
        server.add(new ActivateResource(service, serviceExecutor),
                new JoinResource(service, serviceExecutor),
                new CatchUpResource(service, serviceExecutor),
                new NodeResource(service, serviceExecutor),
                new IdentityResource(service, serviceExecutor),
                new RejoinResource(service, serviceExecutor),
                relay,
                new LeaveResource(service, serviceExecutor),
                new MqttResource(service, mqtt, serviceExecutor));
        if (groups != null) {
            server.add(new DeviceGroupResource(service, groups, serviceExecutor));
        }
        if (objects != null) {
            server.add(new ObjectPushResource(service, objects, serviceExecutor));
        }
        try {
            DtlsProfile.start(server, endpoint, serviceExecutor, "cannot bind CoAP/DTLS endpoint to " + bind);
        } catch (RuntimeException e) {
            relayAccessExecutor.shutdownNow();
            throw e;
        }
        int port = connector.getAddress().getPort();
        LOG.info("CoAP/DTLS device endpoint listening on {}", connector.getAddress());
        return new CoapGatewayServer(server, serviceExecutor, relayAccessExecutor, port);
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
        relayAccessExecutor.shutdownNow();
        DtlsProfile.stop(server, serviceExecutor);
        LOG.info("CoAP/DTLS device endpoint on port {} closed", port);
    }
}
