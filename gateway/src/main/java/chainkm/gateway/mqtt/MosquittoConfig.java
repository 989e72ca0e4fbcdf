package chainkm.gateway.mqtt;

import chainkm.protocol.rekey.Topics;
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
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Writes a Mosquitto 2.x configuration that enforces {@link RekeyAccess}: {@code mosquitto.conf}
 * (one listener, no anonymous clients, no persistence, log to {@code mosquitto.log}), a
 * {@code passwords} file and an {@code acl} file, all in one directory.
 *
 * <p>Passwords are hashed here, in Mosquitto's own format ({@code $7$}: PBKDF2-HMAC-SHA512,
 * 12-byte random salt, 101 iterations, as {@code mosquitto_passwd} writes them), rather than
 * with {@code mosquitto_passwd -b}, which would put each password on a command line that
 * every local user can read.
 *
 * <p>Persistence is off, as in the embedded broker: Mosquitto then keeps sessions and queues
 * of clean session = false clients in memory while it runs, and devices catch up over CoAP
 * after a broker restart.
 */
public final class MosquittoConfig {

    static final String CONF = "mosquitto.conf";
    static final String PASSWORDS = "passwords";
    static final String ACL = "acl";
    static final String LOG = "mosquitto.log";
    static final int PBKDF2_ITERATIONS = 101;
    static final int SALT_BYTES = 12;
    /** Messages queued per disconnected clean session = false client (Mosquitto's default: 1000). */
    static final int MAX_QUEUED_MESSAGES = 10_000;

    private final Path dir;
    private final String host;
    private final int port;

    private MosquittoConfig(Path dir, String host, int port) {
        this.dir = dir;
        this.host = host;
        this.port = port;
    }

    /**
     * Writes the three files into {@code dir} (created if needed; existing files replaced).
     *
     * @param bind             the listener's address and port; port 0 picks a free port now
     * @param gatewayPasswords {@code gateway-<id>} user name to that gateway's password
     * @param devicePassword   the consortium-wide password of user {@code device}
     */
    public static MosquittoConfig write(Path dir, InetSocketAddress bind, Map<String, String> gatewayPasswords,
                                        String devicePassword) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(bind, "bind");
        RekeyAccess.checkCredentials(gatewayPasswords, devicePassword);
        InetSocketAddress listener = FreePort.resolve(bind);
        InetAddress address = listener.getAddress();
        int port = listener.getPort();
        Path abs = dir.toAbsolutePath();
        Files.createDirectories(abs);
        MosquittoConfig config = new MosquittoConfig(abs, address.getHostAddress(), port);

        SecureRandom random = new SecureRandom();
        StringBuilder passwords = new StringBuilder();
        StringBuilder acl = new StringBuilder("# chainkm rekey ACL, written by MosquittoConfig\n");
        for (Map.Entry<String, String> e : new TreeMap<>(gatewayPasswords).entrySet()) {
            passwords.append(passwordLine(e.getKey(), e.getValue(), salt(random), PBKDF2_ITERATIONS)).append('\n');
            acl.append("\n# a gateway publishes and subscribes on rekey topics\nuser ").append(e.getKey())
                    .append("\ntopic readwrite ").append(Topics.all()).append('\n');
        }
        passwords.append(passwordLine(RekeyAccess.DEVICE_USER, devicePassword, salt(random), PBKDF2_ITERATIONS))
                .append('\n');
        acl.append("\n# devices only subscribe to rekey topics\nuser ").append(RekeyAccess.DEVICE_USER)
                .append("\ntopic read ").append(Topics.all()).append('\n');

        writePrivate(config.passwordFile(), passwords.toString());
        writePrivate(config.aclFile(), acl.toString());
        writePrivate(config.confFile(), config.confText());
        return config;
    }

    private String confText() {
        return "# chainkm broker, written by MosquittoConfig\n"
                + "per_listener_settings false\n"
                + "allow_anonymous false\n"
                + "password_file " + passwordFile() + "\n"
                + "acl_file " + aclFile() + "\n"
                + "persistence false\n"
                + "persistent_client_expiration 7d\n"
                + "max_queued_messages " + MAX_QUEUED_MESSAGES + "\n"
                + "log_dest file " + logFile() + "\n"
                + "log_type error\n"
                + "log_type warning\n"
                + "log_type notice\n"
                + "log_timestamp_format %Y-%m-%dT%H:%M:%S\n"
                // started as root, Mosquitto would switch to user "mosquitto", which cannot read these files
                + "user " + System.getProperty("user.name") + "\n"
                + "listener " + port + " " + host + "\n";
    }

    /** One password file line: {@code user:$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512>}. */
    static String passwordLine(String user, String password, byte[] salt, int iterations) {
        RekeyAccess.checkFileSafe(user);
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 512);
        try {
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
            Base64.Encoder b64 = Base64.getEncoder();
            return user + ":$7$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always has PBKDF2WithHmacSHA512", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    private static byte[] salt(SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
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

    public Path passwordFile() {
        return dir.resolve(PASSWORDS);
    }

    public Path aclFile() {
        return dir.resolve(ACL);
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

    /** {@code tcp://<host>:<port>} for clients on this machine. */
    public String url() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "tcp://" + (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }
}
