package chainkm.gateway.cometbft;

import chainkm.gateway.home.Genesis;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CometBFT node's home directory: {@code config/} (config.toml, genesis.json, the node
 * and validator keys) and {@code data/}. Made by {@link #init}, which runs
 * {@code cometbft init} and tightens the permissions of the key files.
 */
public final class CometHome {

    private static final Logger LOG = LoggerFactory.getLogger(CometHome.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");
    private static final String ED25519_PUB = "tendermint/PubKeyEd25519";
    private static final String ED25519_PRIV = "tendermint/PrivKeyEd25519";
    /** CometBFT's types.MaxChainIDLen. */
    private static final int MAX_CHAIN_ID_LEN = 50;
    private static final long INIT_TIMEOUT_SECONDS = 60;

    private final Path home;
    private final String moniker;

    private CometHome(Path home, String moniker) {
        this.home = home;
        this.moniker = moniker;
    }

    /**
     * Initialises (if needed) a home with the cometbft found by {@link CometBinary#locate()}.
     *
     * @see #init(Path, Path, String)
     */
    public static CometHome init(Path home, String moniker) throws IOException {
        return init(CometBinary.locate(), home, moniker);
    }

    /**
     * Runs {@code cometbft init --home home} unless the home already holds config.toml,
     * genesis.json and both keys, then makes the key files and the validator state
     * owner-only (0600) and {@code config/} 0700, and checks that they are.
     *
     * @param moniker the node's name: its config moniker and its validator name in genesis
     */
    public static CometHome init(Path binary, Path home, String moniker) throws IOException {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(moniker, "moniker");
        if (moniker.isBlank()) {
            throw new IllegalArgumentException("moniker is blank");
        }
        CometHome h = new CometHome(home.toAbsolutePath(), moniker);
        if (h.isInitialised()) {
            LOG.debug("CometBFT home {} already initialised", h.home);
        } else {
            Files.createDirectories(h.home);
            runInit(binary, h.home);
            if (!h.isInitialised()) {
                throw new IOException("cometbft init did not create the expected files in " + h.home);
            }
            LOG.info("Initialised CometBFT home {} for {}", h.home, moniker);
        }
        h.securePermissions();
        return h;
    }

    private static void runInit(Path binary, Path home) throws IOException {
        Path out = Files.createTempFile("cometbft-init", ".log");
        try {
            Process p = new ProcessBuilder(binary.toString(), "init", "--home", home.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            boolean done;
            try {
                done = p.waitFor(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while running cometbft init");
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException("cometbft init --home " + home + " did not finish in "
                        + INIT_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("cometbft init --home " + home + " exited with " + p.exitValue() + ": "
                        + Files.readString(out, StandardCharsets.UTF_8).strip());
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private boolean isInitialised() {
        return Files.isRegularFile(configToml()) && Files.isRegularFile(genesisFile())
                && Files.isRegularFile(privValidatorKeyFile()) && Files.isRegularFile(nodeKeyFile())
                && Files.isRegularFile(privValidatorStateFile());
    }

    private void securePermissions() throws IOException {
        restrict(configDir(), OWNER_RWX);
        restrict(privValidatorKeyFile(), OWNER_RW);
        restrict(nodeKeyFile(), OWNER_RW);
        restrict(privValidatorStateFile(), OWNER_RW);
    }

    private static void restrict(Path p, Set<PosixFilePermission> wanted) throws IOException {
        if (!Files.getPosixFilePermissions(p).equals(wanted)) {
            Files.setPosixFilePermissions(p, wanted);
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(p);
        if (!now.equals(wanted)) {
            throw new IOException("cannot restrict " + p + " to " + PosixFilePermissions.toString(wanted)
                    + ": it is " + PosixFilePermissions.toString(now));
        }
    }

    public Path home() {
        return home;
    }

    public String moniker() {
        return moniker;
    }

    public Path configDir() {
        return home.resolve("config");
    }

    public Path configToml() {
        return configDir().resolve("config.toml");
    }

    public Path genesisFile() {
        return Genesis.fileIn(home);
    }

    public Path privValidatorKeyFile() {
        return configDir().resolve("priv_validator_key.json");
    }

    public Path nodeKeyFile() {
        return configDir().resolve("node_key.json");
    }

    public Path privValidatorStateFile() {
        return home.resolve("data").resolve("priv_validator_state.json");
    }

    /**
     * The p2p node id: lower-case hex of the first 20 bytes of SHA-256 of the node's Ed25519
     * public key (CometBFT's p2p.PubKeyToID), the public key being the last 32 bytes of the
     * 64-byte private key in node_key.json.
     */
    public String nodeId() throws IOException {
        JsonNode key = JSON.readTree(nodeKeyFile().toFile()).path("priv_key");
        if (!ED25519_PRIV.equals(key.path("type").asText())) {
            throw new IOException(nodeKeyFile() + ": expected an " + ED25519_PRIV + " key, found '"
                    + key.path("type").asText() + "'");
        }
        byte[] priv = Base64.getDecoder().decode(key.path("value").asText());
        if (priv.length != 64) {
            throw new IOException(nodeKeyFile() + ": Ed25519 private key of " + priv.length + " bytes, expected 64");
        }
        byte[] digest = sha256(ByteBuffer.wrap(priv, 32, 32));
        java.util.Arrays.fill(priv, (byte) 0);
        return HexFormat.of().formatHex(digest, 0, 20);
    }

    /** The validator's Ed25519 public key (32 bytes), base64, from priv_validator_key.json. */
    public String validatorPubKeyBase64() throws IOException {
        JsonNode pub = JSON.readTree(privValidatorKeyFile().toFile()).path("pub_key");
        if (!ED25519_PUB.equals(pub.path("type").asText())) {
            throw new IOException(privValidatorKeyFile() + ": expected an " + ED25519_PUB + " key, found '"
                    + pub.path("type").asText() + "'");
        }
        String value = pub.path("value").asText();
        if (Base64.getDecoder().decode(value).length != 32) {
            throw new IOException(privValidatorKeyFile() + ": public key is not 32 bytes");
        }
        return value;
    }

    /** The validator address (upper-case hex, 20 bytes), from priv_validator_key.json. */
    public String validatorAddressHex() throws IOException {
        String address = JSON.readTree(privValidatorKeyFile().toFile()).path("address").asText();
        if (!address.matches("[0-9A-F]{40}")) {
            throw new IOException(privValidatorKeyFile() + ": address '" + address + "' is not 40 upper-case hex digits");
        }
        return address;
    }

    /**
     * Rewrites config/config.toml for this node (atomically). Sets: moniker, proxy_app,
     * log_level "info", db_backend "goleveldb"; [rpc] laddr on 127.0.0.1 only,
     * timeout_broadcast_tx_commit "10s"; [p2p] laddr on 127.0.0.1, persistent_peers,
     * addr_book_strict false and allow_duplicate_ip true (all peers are on loopback or one LAN
     * address), pex false (the validator set is fixed and fully meshed by persistent_peers);
     * [consensus] timeouts, skip_timeout_commit, empty-block settings and gossip sleep, and [p2p]
     * flush_throttle_timeout, from the profile; [instrumentation]
     * prometheus false. Everything else keeps CometBFT's defaults.
     *
     * @throws IllegalArgumentException if the config's moniker is not this home's
     * @throws IllegalStateException    if an expected key is missing from config.toml
     */
    public void writeConfig(NodeConfig cfg) throws IOException {
        if (!cfg.moniker().equals(moniker)) {
            throw new IllegalArgumentException("config moniker '" + cfg.moniker() + "' is not this home's moniker '"
                    + moniker + "' (the genesis validator name)");
        }
        ConfigToml toml = ConfigToml.load(configToml());
        apply(toml, cfg);
        writeAtomically(configToml(), toml.text().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Points config.toml's proxy_app at {@code proxyApp}, rewriting the file (atomically) only if
     * it points elsewhere, e.g. after the home moved; true if it did.
     */
    public static boolean pointProxyApp(Path home, String proxyApp) throws IOException {
        Path file = new CometHome(home, "").configToml();
        ConfigToml toml = ConfigToml.load(file);
        String wanted = ConfigToml.quote(proxyApp);
        if (toml.getRaw("", "proxy_app").equals(wanted)) {
            return false;
        }
        writeAtomically(file, toml.setRaw("", "proxy_app", wanted).text().getBytes(StandardCharsets.UTF_8));
        return true;
    }

    static void apply(ConfigToml toml, NodeConfig cfg) {
        Profile p = cfg.profile();
        toml.setString("", "moniker", cfg.moniker())
                .setString("", "proxy_app", cfg.proxyApp())
                .setString("", "log_level", "info")
                .setString("", "db_backend", "goleveldb")
                .setString("rpc", "laddr", "tcp://127.0.0.1:" + cfg.rpcPort())
                .setString("rpc", "timeout_broadcast_tx_commit", "10s")
                .setString("p2p", "laddr", "tcp://127.0.0.1:" + cfg.p2pPort())
                .setString("p2p", "persistent_peers", String.join(",", cfg.persistentPeers()))
                .setBoolean("p2p", "addr_book_strict", false)
                .setBoolean("p2p", "allow_duplicate_ip", true)
                .setBoolean("p2p", "pex", false)
                .setString("p2p", "flush_throttle_timeout", Profile.goDuration(p.flushThrottleTimeout()))
                .setString("consensus", "timeout_propose", Profile.goDuration(p.timeoutPropose()))
                .setString("consensus", "timeout_propose_delta", Profile.goDuration(p.timeoutProposeDelta()))
                .setString("consensus", "timeout_prevote", Profile.goDuration(p.timeoutPrevote()))
                .setString("consensus", "timeout_prevote_delta", Profile.goDuration(p.timeoutPrevoteDelta()))
                .setString("consensus", "timeout_precommit", Profile.goDuration(p.timeoutPrecommit()))
                .setString("consensus", "timeout_precommit_delta", Profile.goDuration(p.timeoutPrecommitDelta()))
                .setString("consensus", "timeout_commit", Profile.goDuration(p.timeoutCommit()))
                .setBoolean("consensus", "skip_timeout_commit", p.skipTimeoutCommit())
                .setBoolean("consensus", "create_empty_blocks", p.createEmptyBlocks())
                .setString("consensus", "create_empty_blocks_interval",
                        Profile.goDuration(p.createEmptyBlocksInterval()))
                .setString("consensus", "peer_gossip_sleep_duration",
                        Profile.goDuration(p.peerGossipSleepDuration()))
                .setBoolean("instrumentation", "prometheus", false);
    }

    /** {@link #writeGenesis(List, String, String, Instant)} with genesis_time = now. */
    public static void writeGenesis(List<CometHome> homes, String chainId, String appStateJson) throws IOException {
        writeGenesis(homes, chainId, appStateJson, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * Writes one genesis.json to every home (temp file, fsync, rename): chain_id,
     * genesis_time, initial_height "1", consensus_params copied from the first home's
     * generated genesis (CometBFT's defaults), one validator of power 10 per home named by
     * its moniker, app_hash "", and app_state exactly the given JSON text (which must be an
     * object), so that every ABCI application receives the same InitChain app_state_bytes.
     */
    public static void writeGenesis(List<CometHome> homes, String chainId, String appStateJson,
                                    Instant genesisTime) throws IOException {
        if (homes.isEmpty()) {
            throw new IllegalArgumentException("no validators");
        }
        if (chainId == null || chainId.isBlank() || chainId.length() > MAX_CHAIN_ID_LEN) {
            throw new IllegalArgumentException("chain id must be 1 to " + MAX_CHAIN_ID_LEN + " characters: '" + chainId + "'");
        }
        JsonNode appState = JSON.readTree(appStateJson);
        if (appState == null || !appState.isObject()) {
            throw new IllegalArgumentException("app state must be a JSON object");
        }
        JsonNode consensusParams = Genesis.load(homes.get(0).genesisFile()).consensusParams();
        if (consensusParams == null || !consensusParams.isObject()) {
            throw new IOException(homes.get(0).genesisFile() + " has no consensus_params");
        }

        ObjectNode genesis = JSON.createObjectNode();
        genesis.put("genesis_time", genesisTime.toString());
        genesis.put("chain_id", chainId);
        genesis.put("initial_height", "1");
        genesis.set("consensus_params", consensusParams);
        ArrayNode validators = genesis.putArray("validators");
        Set<String> seenKeys = new HashSet<>();
        Set<String> seenNames = new HashSet<>();
        for (CometHome h : homes) {
            String pub = h.validatorPubKeyBase64();
            if (!seenKeys.add(pub)) {
                throw new IllegalArgumentException("validator key of " + h.home + " appears twice");
            }
            if (!seenNames.add(h.moniker)) {
                throw new IllegalArgumentException("moniker '" + h.moniker + "' appears twice");
            }
            ObjectNode v = validators.addObject();
            v.put("address", h.validatorAddressHex());
            ObjectNode key = v.putObject("pub_key");
            key.put("type", ED25519_PUB);
            key.put("value", pub);
            v.put("power", "10");
            v.put("name", h.moniker);
        }
        genesis.put("app_hash", "");
        genesis.putRawValue("app_state", new RawValue(appStateJson.strip()));

        byte[] bytes = (JSON.writeValueAsString(genesis) + "\n").getBytes(StandardCharsets.UTF_8);
        for (CometHome h : homes) {
            writeAtomically(h.genesisFile(), bytes);
        }
        LOG.info("Wrote genesis of chain {} with {} validators", chainId, homes.size());
    }

    /** Writes a sibling temp file, fsyncs it, and renames it over {@code target}, keeping target's permissions. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            if (Files.exists(target)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] sha256(ByteBuffer data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public String toString() {
        return "CometHome[" + moniker + " at " + home + "]";
    }
}
