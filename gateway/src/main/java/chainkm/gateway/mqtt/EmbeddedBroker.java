package chainkm.gateway.mqtt;

import chainkm.protocol.rekey.MqttCredential;
import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's in-process MQTT broker (Moquette 0.17): MQTT over TLS only (the broker's
 * {@link BrokerTls} certificate, no plain TCP listener), logins checked by {@link ClientLogin},
 * topics by {@link RekeyAccess}.
 *
 * <p><b>Persistence.</b> With {@code dataDir == null} (what the gateway should use) sessions,
 * subscriptions and QoS 1 queues live in memory: a device that connected with
 * clean session = false and drops off for a while gets what was queued meanwhile when it
 * comes back, as long as the broker runs. A gateway restart loses those queues and
 * sessions; the device re-subscribes on reconnect and fetches what it missed over CoAP by
 * epoch, which it must do anyway after a long sleep. Moquette's disk store (H2 MVStore,
 * autosaved every 30 s, plus segmented queues) would not make that path unnecessary, as it
 * is not crash-consistent, so it only costs files and threads. It is still available:
 * with a {@code dataDir} the broker keeps its state there across restarts.
 *
 * <p>Disconnected persistent sessions expire after {@link #SESSION_EXPIRY} so that devices
 * that left for good do not pin queues forever; a revoked device's session and queue are
 * dropped at once ({@link #closeRevoked()}). Moquette's telemetry is switched off.
 *
 * <p>Moquette and Netty log through SLF4J; the gateway's logging configuration should set
 * {@code io.moquette} and {@code io.netty} to WARN.
 */
public final class EmbeddedBroker implements DeviceAccounts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    /** Largest MQTT packet accepted (Moquette's default is 8 KiB). */
    static final int MAX_PACKET_BYTES = 256 * 1024;
    /** How long a disconnected clean session = false client keeps its session and queue. */
    static final String SESSION_EXPIRY = "7d";

    private final Server server;
    private final ClientLogin login;
    private final String host;
    private final int port;
    private boolean closed;

    private EmbeddedBroker(Server server, ClientLogin login, String host, int port) {
        this.server = server;
        this.login = login;
        this.host = host;
        this.port = port;
    }

    /**
     * Starts a broker.
     *
     * @param bind             address and port to listen on (TLS); port 0 picks a free port
     * @param tls              the broker's key and certificate
     * @param gatewayPasswords {@code gateway-<id>} user name to that gateway's password
     * @param devices          the passwords of this gateway's devices
     * @param roster           which devices the ledger admits
     * @param dataDir          where to keep sessions and queues across restarts, or null to
     *                         keep them in memory (recommended, see the class comment)
     */
    public static EmbeddedBroker start(InetSocketAddress bind, BrokerTls tls, Map<String, String> gatewayPasswords,
                                       DevicePasswords devices, DeviceRoster roster, Path dataDir) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(tls, "tls");
        ClientLogin login = new ClientLogin(gatewayPasswords, Objects.requireNonNull(devices, "devices"),
                Objects.requireNonNull(roster, "roster"));
        SslContext ssl = tls.serverContext();
        InetSocketAddress listener = FreePort.resolve(bind);
        InetAddress address = listener.getAddress();
        int port = listener.getPort();

        Properties props = new Properties();
        props.setProperty(IConfig.HOST_PROPERTY_NAME, address.getHostAddress());
        props.setProperty(IConfig.PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        props.setProperty(BrokerConstants.SSL_PORT_PROPERTY_NAME, Integer.toString(port));
        props.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "false");
        props.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
        props.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, Integer.toString(MAX_PACKET_BYTES));
        props.setProperty(IConfig.PERSISTENT_CLIENT_EXPIRATION_PROPERTY_NAME, SESSION_EXPIRY);
        props.setProperty(IConfig.BUFFER_FLUSH_MS_PROPERTY_NAME, "immediate");
        if (dataDir == null) {
            props.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        } else {
            Files.createDirectories(dataDir);
            props.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "true");
            props.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, dataDir.toAbsolutePath().toString());
        }

        Server server = new Server();
        try {
            server.startServer(new MemoryConfig(props), Collections.emptyList(), () -> ssl, login, new AccessPolicy());
        } catch (RuntimeException | IOException e) {
            try {
                server.stopServer();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IOException("MQTT broker did not start on " + address.getHostAddress() + ":" + port, e);
        }
        String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        LOG.info("MQTT broker listening with TLS on {}:{} (key {}; {} gateway users, {})", address.getHostAddress(),
                port, tls.pin(), gatewayPasswords.size(), dataDir == null ? "in memory" : "state in " + dataDir);
        return new EmbeddedBroker(server, login, host, port);
    }

    /** The port the broker listens on. */
    public int port() {
        return port;
    }

    /** {@code ssl://<host>:<port>} for clients on this machine (127.0.0.1 if bound to all addresses). */
    public String url() {
        return "ssl://" + host + ":" + port;
    }

    /** Nothing to do: the broker derives and checks each device's password at connect. */
    @Override
    public void admit(int nodeId, MqttCredential credential) {
        // checked at each connect by ClientLogin
    }

    /** Closes the sessions (and drops the queues) of devices the ledger no longer admits. */
    @Override
    public int closeRevoked() {
        List<String> revoked = login.revoked();
        for (String clientId : revoked) {
            boolean dropped = server.disconnectAndPurgeClientState(clientId);
            LOG.warn("MQTT: closed the session of {} (its device left or was evicted){}", clientId,
                    dropped ? "" : "; it was not connected");
        }
        return revoked.size();
    }

    /** Stops the broker and frees its port; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stopServer();
        LOG.info("MQTT broker on port {} stopped", port);
    }

    /** {@link RekeyAccess} in Moquette's terms. */
    static final class AccessPolicy implements IAuthorizatorPolicy {
        @Override
        public boolean canWrite(Topic topic, String user, String client) {
            // a refusal is logged by Moquette itself (and the message dropped)
            return RekeyAccess.canPublish(user, topic.toString());
        }

        @Override
        public boolean canRead(Topic topic, String user, String client) {
            boolean ok = RekeyAccess.canSubscribe(user, client, topic.toString());
            if (!ok) {
                LOG.warn("MQTT subscription refused: '{}' as client '{}' to '{}'", ClientLogin.printable(user),
                        ClientLogin.printable(client), ClientLogin.printable(topic.toString()));
            }
            return ok;
        }
    }
}
