package chainkm.gateway.home;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * A gateway's home directory (mode 0700), the one place that names its files:
 * <pre>
 * gateway.toml           the configuration ({@code GatewayConfig})
 * gateway.key            Ed25519 signing key, 0600 (gateway.toml's signing_key may name another file)
 * master.secret          what this gateway derives alone, 0600
 * gateway.kem            X25519 private key (its public half is in genesis), 0600
 * control.token          bearer token of the local control API, 0600
 * mqtt.password          this gateway's MQTT password (user gateway-ID), 0600
 * abci.sock              the ABCI application's unix socket (0600; only CometBFT connects), while running
 * mqtt-devices.secret    what this gateway derives its devices' MQTT passwords from, 0600
 * mqtt-tls.key           the MQTT broker's TLS private key (ECDSA P-256, PEM), 0600
 * mqtt-tls.crt           its self-signed certificate (PEM); genesis lists its key's SHA-256
 * cometbft/              the CometBFT validator's home (gateway.toml's cometbft_home may name another)
 * ledger/                the committed ledger state and the submitter's pending.journal
 * groups/                the key server's group master secrets, one 0600 file per group (directory 0700)
 * cometbft.log, cometbft.pid, gateway.log   what runs here
 * </pre>
 * Secrets are created owner-only from the start, never chmod-ed afterwards.
 */
public final class GatewayHome {
    public static final String CONFIG = "gateway.toml";
    public static final String SIGNING_KEY = "gateway.key";
    public static final String MASTER_SECRET = "master.secret";
    public static final String KEM_KEY = "gateway.kem";
    public static final String CONTROL_TOKEN = "control.token";
    public static final String MQTT_PASSWORD = "mqtt.password";
    public static final String ABCI_SOCKET = "abci.sock";
    public static final String MQTT_DEVICES_SECRET = "mqtt-devices.secret";
    public static final String MQTT_TLS_KEY = "mqtt-tls.key";
    public static final String MQTT_TLS_CERTIFICATE = "mqtt-tls.crt";
    public static final String COMETBFT_HOME = "cometbft";
    public static final String LEDGER = "ledger";
    public static final String GROUPS = "groups";
    public static final String PENDING_JOURNAL = "pending.journal";
    public static final String COMETBFT_LOG = "cometbft.log";
    public static final String COMETBFT_PID = "cometbft.pid";
    public static final String GATEWAY_LOG = "gateway.log";

    /** The files that hold secrets (with the default signing key name): mode 0600. */
    public static final List<String> SECRETS = List.of(SIGNING_KEY, MASTER_SECRET, KEM_KEY, CONTROL_TOKEN,
            MQTT_PASSWORD, MQTT_DEVICES_SECRET, MQTT_TLS_KEY);
    /** A secret file: readable and writable by its owner only. */
    public static final Set<PosixFilePermission> SECRET_MODE = PosixFilePermissions.fromString("rw-------");
    /** The home itself: its owner's only. */
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final String signingKey;
    private final String cometbftHome;

    private GatewayHome(Path dir, String signingKey, String cometbftHome) {
        this.dir = dir;
        this.signingKey = signingKey;
        this.cometbftHome = cometbftHome;
    }

    /** The home at {@code dir}, with the default names of the signing key and the CometBFT home. */
    public static GatewayHome at(Path dir) {
        return new GatewayHome(dir, SIGNING_KEY, COMETBFT_HOME);
    }

    /** Creates {@code dir} (mode 0700) for a new gateway. */
    public static GatewayHome create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, DIR_MODE);
        return at(dir);
    }

    /** The same home, with the signing key and CometBFT home that gateway.toml names (relative to the home). */
    public GatewayHome named(String signingKeyFile, String cometbftDir) {
        return new GatewayHome(dir, signingKeyFile, cometbftDir);
    }

    public Path dir() {
        return dir;
    }

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path gatewayKey() {
        return dir.resolve(signingKey);
    }

    public Path masterSecret() {
        return dir.resolve(MASTER_SECRET);
    }

    public Path kemKey() {
        return dir.resolve(KEM_KEY);
    }

    public Path controlToken() {
        return dir.resolve(CONTROL_TOKEN);
    }

    public Path mqttPassword() {
        return dir.resolve(MQTT_PASSWORD);
    }

    public Path mqttDevicesSecret() {
        return dir.resolve(MQTT_DEVICES_SECRET);
    }

    public Path mqttTlsKey() {
        return dir.resolve(MQTT_TLS_KEY);
    }

    public Path mqttTlsCertificate() {
        return dir.resolve(MQTT_TLS_CERTIFICATE);
    }

    /** Where the ledger application listens for CometBFT: CometBFT's proxy_app is unix://&lt;this path&gt;. */
    public Path abciSocket() {
        return dir.resolve(ABCI_SOCKET);
    }

    /**
     * Makes the home owner-only (0700) if it is not: the ABCI socket and the secrets rely on it.
     * True when it had to.
     */
    public boolean restrictToOwner() throws IOException {
        if (DIR_MODE.containsAll(Files.getPosixFilePermissions(dir))) {
            return false;
        }
        Files.setPosixFilePermissions(dir, DIR_MODE);
        return true;
    }

    public Path cometbftHome() {
        return dir.resolve(cometbftHome);
    }

    /** The consortium's genesis, in the CometBFT home. */
    public Path genesis() {
        return Genesis.fileIn(cometbftHome());
    }

    public Path ledgerDir() {
        return dir.resolve(LEDGER);
    }

    /** The key server's group master secrets ({@code GroupSecretStore}). */
    public Path groupsDir() {
        return dir.resolve(GROUPS);
    }

    public Path pendingJournal() {
        return ledgerDir().resolve(PENDING_JOURNAL);
    }

    public Path cometbftLog() {
        return dir.resolve(COMETBFT_LOG);
    }

    public Path cometbftPid() {
        return dir.resolve(COMETBFT_PID);
    }

    public Path gatewayLog() {
        return dir.resolve(GATEWAY_LOG);
    }

    /** A one-line text file of this home (a token or a password), without its line end. */
    public static String readLine(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    /** Writes {@code text} and a line end to a new secret file (an existing one is replaced), 0600 from the start. */
    public static void writeSecret(Path file, String text) throws IOException {
        createSecret(file);
        Files.writeString(file, text + "\n", StandardCharsets.US_ASCII);
    }

    /** Creates an empty secret file, replacing an existing one: owner-only from the start, never readable by others. */
    public static void createSecret(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(SECRET_MODE));
    }

    /** True when no one but the owner may read or write {@code file}. */
    public static boolean isOwnerOnly(Set<PosixFilePermission> mode) {
        return SECRET_MODE.containsAll(mode);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
