package chainkm.gateway.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Writes a Mosquitto 2.x configuration for one gateway's broker: {@code mosquitto.conf} (one
 * TLS listener with the gateway's {@link BrokerTls} key and certificate, no plain listener,
 * no anonymous clients, no persistence, log to {@code mosquitto.log}) and the initial file of
 * the dynamic-security plugin ({@code dynamic-security.json}: the gateway as its one client
 * and administrator, deny by default; see {@link DynsecRoles}), in one directory (0700).
 * Devices are added at run time by the gateway ({@link MosquittoDynsec}).
 *
 * <p>Passwords are hashed here, in Mosquitto's own format (PBKDF2-HMAC-SHA512, 12-byte random
 * salt, 101 iterations, as {@code mosquitto_passwd} and the plugin make them), so that no
 * password goes on a command line that every local user can read.
 *
 * <p>Persistence is off, as in the embedded broker: Mosquitto then keeps sessions and queues
 * of clean session = false clients in memory while it runs, and devices catch up over CoAP
 * after a broker restart. The plugin saves its own file on every change.
 */
public final class MosquittoConfig {

    static final String CONF = "mosquitto.conf";
    static final String DYNSEC = "dynamic-security.json";
    static final String LOG = "mosquitto.log";
    static final int PBKDF2_ITERATIONS = 101;
    static final int SALT_BYTES = 12;
    /** Messages queued per disconnected clean session = false client (Mosquitto's default: 1000). */
    static final int MAX_QUEUED_MESSAGES = 10_000;
    /** System property naming the dynamic-security plugin, if it is not where Debian puts it. */
    public static final String PLUGIN_PROPERTY = "chainkm.mosquitto.dynsec";

    private final Path dir;
    private final String host;
    private final int port;

    private MosquittoConfig(Path dir, String host, int port) {
        this.dir = dir;
        this.host = host;
        this.port = port;
    }

    /**
     * Writes the two files into {@code dir} (created 0700 if needed; existing files replaced).
     *
     * @param bind            the TLS listener's address and port; port 0 picks a free port now
     * @param tlsKey          the broker's private key (PEM, the gateway's {@code mqtt-tls.key})
     * @param tlsCertificate  its certificate (PEM, {@code mqtt-tls.crt})
     * @param gatewayUser     {@code gateway-<id>}: the gateway that publishes and administers devices
     * @param gatewayPassword that gateway's MQTT password
     */
    public static MosquittoConfig write(Path dir, InetSocketAddress bind, Path tlsKey, Path tlsCertificate,
                                        String gatewayUser, String gatewayPassword) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(bind, "bind");
        RekeyAccess.checkGatewayPasswords(Map.of(gatewayUser, gatewayPassword));
        Path plugin = findPlugin().orElseThrow(() -> new IOException("Mosquitto's dynamic-security plugin "
                + "(mosquitto_dynamic_security.so, Debian package 'mosquitto') not found; set -D" + PLUGIN_PROPERTY));
        InetSocketAddress listener = FreePort.resolve(bind);
        InetAddress address = listener.getAddress();
        Path abs = dir.toAbsolutePath();
        Files.createDirectories(abs);
        Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwx------"));
        MosquittoConfig config = new MosquittoConfig(abs, address.getHostAddress(), listener.getPort());
        writePrivate(config.dynsecFile(), DynsecRoles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                DynsecRoles.initialConfig(gatewayUser, gatewayPassword, new SecureRandom())));
        writePrivate(config.confFile(), config.confText(plugin, tlsKey.toAbsolutePath(), tlsCertificate.toAbsolutePath()));
        return config;
    }

    /** The plugin: {@code -Dchainkm.mosquitto.dynsec}, else where Debian and others install it. */
    static Optional<Path> findPlugin() {
        String configured = System.getProperty(PLUGIN_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isRegularFile);
        }
        List<Path> candidates = new ArrayList<>();
        for (String lib : List.of("/usr/lib", "/usr/local/lib", "/usr/lib64")) {
            Path d = Path.of(lib);
            candidates.add(d.resolve("mosquitto_dynamic_security.so"));
            try (Stream<Path> arch = Files.isDirectory(d) ? Files.list(d) : Stream.empty()) {
                arch.filter(Files::isDirectory).sorted()
                        .forEach(a -> candidates.add(a.resolve("mosquitto_dynamic_security.so")));
            } catch (IOException ignored) {
                // an unreadable directory holds no plugin for us
            }
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    private String confText(Path plugin, Path tlsKey, Path tlsCertificate) {
        return "# chainkm broker, written by MosquittoConfig\n"
                + "per_listener_settings false\n"
                + "allow_anonymous false\n"
                + "plugin " + plugin + "\n"
                + "plugin_opt_config_file " + dynsecFile() + "\n"
                + "persistence false\n"
                + "persistent_client_expiration 7d\n"
                + "max_queued_messages " + MAX_QUEUED_MESSAGES + "\n"
                + "log_dest file " + logFile() + "\n"
                + "log_type error\n"
                + "log_type warning\n"
                + "log_type notice\n"
                + "log_type information\n"
                + "log_timestamp_format %Y-%m-%dT%H:%M:%S\n"
                // started as root, Mosquitto would switch to user "mosquitto", which cannot read these files
                + "user " + System.getProperty("user.name") + "\n"
                + "listener " + port + " " + host + "\n"
                + "certfile " + tlsCertificate + "\n"
                + "keyfile " + tlsKey + "\n"
                + "tls_version tlsv1.2\n";
    }

    /** PBKDF2-HMAC-SHA512 of a password, 64 bytes, as Mosquitto hashes them. */
    static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 512);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always has PBKDF2WithHmacSHA512", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** One password file line: {@code user:$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512>}. */
    static String passwordLine(String user, String password, byte[] salt, int iterations) {
        RekeyAccess.checkFileSafe(user);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + ":$7$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, iterations));
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public Path dir() {
        return dir;
    }

    public Path confFile() {
        return dir.resolve(CONF);
    }

    /** The dynamic-security plugin's file (the plugin rewrites it on every change). */
    public Path dynsecFile() {
        return dir.resolve(DYNSEC);
    }

    public Path logFile() {
        return dir.resolve(LOG);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code ssl://<host>:<port>} for clients on this machine. */
    public String url() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "ssl://" + (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }
}
