package chainkm.gateway.mqtt;

import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's in-process MQTT broker (Moquette 0.17), enforcing {@link RekeyAccess}.
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
 * that left for good do not pin queues forever. Moquette's telemetry is switched off.
 *
 * <p>Moquette and Netty log through SLF4J; the gateway's logging configuration should set
 * {@code io.moquette} and {@code io.netty} to WARN.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    /** Largest MQTT packet accepted (Moquette's default is 8 KiB). */
    static final int MAX_PACKET_BYTES = 256 * 1024;
    /** How long a disconnected clean session = false client keeps its session and queue. */
    static final String SESSION_EXPIRY = "7d";

    private final Server server;
    private final String host;
    private final int port;
    private boolean closed;

    private EmbeddedBroker(Server server, String host, int port) {
        this.server = server;
        this.host = host;
        this.port = port;
    }

    /**
     * Starts a broker.
     *
     * @param bind             address and port to listen on; port 0 picks a free port
     * @param gatewayPasswords {@code gateway-<id>} user name to that gateway's password
     * @param devicePassword   the consortium-wide password of user {@code device}
     * @param dataDir          where to keep sessions and queues across restarts, or null to
     *                         keep them in memory (recommended, see the class comment)
     */
    public static EmbeddedBroker start(InetSocketAddress bind, Map<String, String> gatewayPasswords,
                                       String devicePassword, Path dataDir) throws IOException {
        Objects.requireNonNull(bind, "bind");
        RekeyAccess.checkCredentials(gatewayPasswords, devicePassword);
        InetSocketAddress listener = FreePort.resolve(bind);
        InetAddress address = listener.getAddress();
        int port = listener.getPort();

        Properties props = new Properties();
        props.setProperty(IConfig.HOST_PROPERTY_NAME, address.getHostAddress());
        props.setProperty(IConfig.PORT_PROPERTY_NAME, Integer.toString(port));
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
            server.startServer(new MemoryConfig(props), Collections.emptyList(), null,
                    new Authenticator(gatewayPasswords, devicePassword), new AccessPolicy());
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
        LOG.info("MQTT broker listening on {}:{} ({} gateway users, {})", address.getHostAddress(), port,
                gatewayPasswords.size(), dataDir == null ? "in memory" : "state in " + dataDir);
        return new EmbeddedBroker(server, host, port);
    }

    /** The port the broker listens on. */
    public int port() {
        return port;
    }

    /** {@code tcp://<host>:<port>} for clients on this machine (127.0.0.1 if bound to all addresses). */
    public String url() {
        return "tcp://" + host + ":" + port;
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

    /**
     * User name and password check. Passwords are compared as SHA-256 digests with
     * {@link MessageDigest#isEqual}, so the time taken depends neither on where the first
     * differing byte is nor on the length of the password; an unknown user costs the same.
     */
    static final class Authenticator implements IAuthenticator {
        private static final byte[] NO_USER = sha256(new byte[] {0});
        private final Map<String, byte[]> digests = new HashMap<>();

        Authenticator(Map<String, String> gatewayPasswords, String devicePassword) {
            gatewayPasswords.forEach((user, password) ->
                    digests.put(user, sha256(password.getBytes(StandardCharsets.UTF_8))));
            digests.put(RekeyAccess.DEVICE_USER, sha256(devicePassword.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public boolean checkValid(String clientId, String username, byte[] password) {
            if (username == null || password == null) {
                return false;
            }
            byte[] expected = digests.get(username);
            boolean match = MessageDigest.isEqual(expected == null ? NO_USER : expected, sha256(password));
            return expected != null && match;
        }

        private static byte[] sha256(byte[] bytes) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK always has SHA-256", e);
            }
        }
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
            return RekeyAccess.canSubscribe(user, topic.toString());
        }
    }
}
