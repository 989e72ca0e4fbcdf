package chainkm.gateway;

import chainkm.gateway.devices.ClonePolicy;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.keys.RekeyArchive;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's configuration, {@code <home>/gateway.toml}, immutable once loaded. Paths are
 * relative to the gateway's home directory.
 *
 * <pre>
 * id = 1                          # this gateway's id in the consortium (genesis app_state)
 * name = "gateway-1"
 * signing_key = "gateway.key"     # Ed25519 private key, base64, mode 0600
 * cometbft_home = "cometbft"      # the CometBFT validator's home
 * rpc_port = 26657                # the local CometBFT RPC (127.0.0.1)
 * control_port = 26700            # the gateway's control API for bin/chainkm (127.0.0.1)
 * resubmit_after_ms = 3000        # sync mode: resend a transaction not committed after this
 * coap_port = 5684                # CoAP over DTLS for devices (join, catch-up), on coap_host
 * coap_host = "127.0.0.1"
 * authz_port = 5685               # CoAP over DTLS for authorization clients (POST /authz/...), on coap_host;
 *                                 # default coap_port + 1 (a separate port: see docs/authorization.md)
 * proxy_port = 5686               # plain CoAP (UDP, no DTLS) of the caching proxy: anonymous GET and Observe of
 *                                 # protected objects at /objects/DEVICE/PATH, on coap_host; default coap_port + 2
 *                                 # (docs/protected-objects.md, "The caching proxy")
 * mqtt_port = 8883                # the embedded MQTT broker, TLS only (127.0.0.1), unless mqtt_url is set
 * mqtt_url = ""                   # an external broker instead (Mosquitto: ssl://host:port, see docs)
 * clone_policy = "evict"          # a node identity caught in use twice: "evict", "block" (here) or "log"
 * rekey_archive_ops = 100000      # rekey messages kept for catch-up: at most this many operations...
 * rekey_archive_mb = 64           # ...and about this many MiB (older catch-ups get the device's full state)
 * renew_after_blocks = 2419200    # renew a set's keys (set, node, pairwise node and set keys) once they are this
 *                                 # many blocks old: 28 days at the 1 s idle block interval (Thread's 672 h); at
 *                                 # least 10 (the ledger's limit), 0 = never by age
 * renew_after_ops = 100000        # ...or once this many ledger key operations happened since (0 = never by count)
 * group_session_interval = 60     # seconds between a group's interval sessions (new session key, same members);
 *                                 # 0 = only at membership changes. Limits each group key's use.
 * group_window = 16               # healing window of the groups this gateway makes (1..255 sessions); a group
 *                                 # keeps the window it was made with
 * </pre>
 * Why these defaults: docs/threat-model.md, "Key lifetimes".
 * The ABCI application listens on the unix socket {@code <home>/abci.sock}, not on a port: an
 * {@code abci_port} key (configurations before issue 11) is accepted and ignored, with a warning.
 */
public record GatewayConfig(
        @JsonProperty("id") int id,
        @JsonProperty("name") String name,
        @JsonProperty("signing_key") String signingKey,
        @JsonProperty("cometbft_home") String cometbftHome,
        @JsonProperty("rpc_port") int rpcPort,
        @JsonProperty("control_port") int controlPort,
        @JsonProperty("resubmit_after_ms") long resubmitAfterMs,
        @JsonProperty("coap_port") int coapPort,
        @JsonProperty("coap_host") String coapHost,
        @JsonProperty("mqtt_port") int mqttPort,
        @JsonProperty("mqtt_url") String mqttUrl,
        @JsonProperty("clone_policy") String clonePolicy,
        @JsonProperty("rekey_archive_ops") @JsonInclude(JsonInclude.Include.NON_NULL) Integer rekeyArchiveOps,
        @JsonProperty("rekey_archive_mb") @JsonInclude(JsonInclude.Include.NON_NULL) Integer rekeyArchiveMb,
        @JsonProperty("renew_after_blocks") @JsonInclude(JsonInclude.Include.NON_NULL) Long renewAfterBlocks,
        @JsonProperty("renew_after_ops") @JsonInclude(JsonInclude.Include.NON_NULL) Long renewAfterOps,
        @JsonProperty("authz_port") @JsonInclude(JsonInclude.Include.NON_NULL) Integer authzPort,
        @JsonProperty("group_session_interval") @JsonInclude(JsonInclude.Include.NON_NULL) Long groupSessionInterval,
        @JsonProperty("group_window") @JsonInclude(JsonInclude.Include.NON_NULL) Integer groupWindow,
        @JsonProperty("proxy_port") @JsonInclude(JsonInclude.Include.NON_NULL) Integer proxyPort) {

    /** Seconds between interval sessions of a group with members (docs/group-keys.md, "Group sessions on gateways"). */
    public static final long DEFAULT_GROUP_SESSION_INTERVAL = 60;
    /** The healing window of the groups a gateway makes: a member recovers a key from any of 16 broadcasts. */
    public static final int DEFAULT_GROUP_WINDOW = 16;

    /** 28 days of blocks at the 1 s empty-block interval: Thread's default key rotation period (672 h). */
    public static final long DEFAULT_RENEW_AFTER_BLOCKS = 672L * 3600;
    /** Ledger key operations after which a set is renewed even if it is younger. */
    public static final long DEFAULT_RENEW_AFTER_OPS = 100_000;
    /** The ledger refuses a set's renewal within this many blocks of the previous one (RENEW_TOO_SOON). */
    public static final long MIN_RENEW_AFTER_BLOCKS = 10;

    public static final String FILE = GatewayHome.CONFIG;
    private static final String OLD_ABCI_PORT = "abci_port";
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfig.class);

    public GatewayConfig {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("id must be in 0..65535, not " + id);
        }
        if (name == null || name.isBlank()) {
            name = "gateway-" + id;
        }
        if (signingKey == null || signingKey.isBlank()) {
            signingKey = GatewayHome.SIGNING_KEY;
        }
        if (cometbftHome == null || cometbftHome.isBlank()) {
            cometbftHome = GatewayHome.COMETBFT_HOME;
        }
        port("rpc_port", rpcPort);
        port("control_port", controlPort);
        if (resubmitAfterMs <= 0) {
            resubmitAfterMs = 3000;
        }
        port("coap_port", coapPort);
        if (coapHost == null || coapHost.isBlank()) {
            coapHost = "127.0.0.1";
        }
        if (authzPort != null) {
            port("authz_port", authzPort);
            if (authzPort == coapPort) {
                throw new IllegalArgumentException("authz_port must differ from coap_port (" + coapPort + ")");
            }
        } else if (coapPort == 65535) {
            throw new IllegalArgumentException("coap_port 65535 leaves no default authz_port (coap_port + 1): set authz_port");
        }
        if (proxyPort != null) {
            port("proxy_port", proxyPort);
            if (proxyPort == coapPort || proxyPort == authzPortOrDefault(coapPort, authzPort)) {
                throw new IllegalArgumentException("proxy_port must differ from coap_port (" + coapPort
                        + ") and authz_port (" + authzPortOrDefault(coapPort, authzPort) + ")");
            }
        } else if (coapPort >= 65534) {
            throw new IllegalArgumentException("coap_port " + coapPort
                    + " leaves no default proxy_port (coap_port + 2): set proxy_port");
        } else if (authzPort != null && authzPort == coapPort + 2) {
            throw new IllegalArgumentException("authz_port " + authzPort
                    + " is the default proxy_port (coap_port + 2): set proxy_port");
        }
        if (mqttUrl == null) {
            mqttUrl = "";
        }
        if (mqttUrl.isBlank()) {
            port("mqtt_port", mqttPort);
        } else if (!mqttUrl.startsWith("ssl://")) {
            throw new IllegalArgumentException("mqtt_url must be ssl://host:port (MQTT runs over TLS), not " + mqttUrl);
        }
        if (clonePolicy == null || clonePolicy.isBlank()) {
            clonePolicy = "evict";
        }
        ClonePolicy.parse(clonePolicy);
        rekeyArchiveLimits();
        if (renewAfterBlocks != null && renewAfterBlocks != 0 && renewAfterBlocks < MIN_RENEW_AFTER_BLOCKS) {
            throw new IllegalArgumentException("renew_after_blocks must be 0 (never by age) or at least "
                    + MIN_RENEW_AFTER_BLOCKS + " (the ledger renews a set at most once per " + MIN_RENEW_AFTER_BLOCKS
                    + " blocks), not " + renewAfterBlocks);
        }
        if (groupSessionInterval != null && groupSessionInterval < 0) {
            throw new IllegalArgumentException("group_session_interval must be 0 (off) or a number of seconds, not "
                    + groupSessionInterval);
        }
        if (groupWindow != null && (groupWindow < 1 || groupWindow > 255)) {
            throw new IllegalArgumentException("group_window must be 1..255 sessions, not " + groupWindow);
        }
        if (renewAfterOps != null && renewAfterOps < 0) {
            throw new IllegalArgumentException("renew_after_ops must be 0 (never by count) or positive, not "
                    + renewAfterOps);
        }
    }

    /** Blocks after which a set's keys are renewed (0: never by age). */
    public long renewAfterBlocksOrDefault() {
        return renewAfterBlocks == null ? DEFAULT_RENEW_AFTER_BLOCKS : renewAfterBlocks;
    }

    /** Ledger key operations after which a set's keys are renewed (0: never by count). */
    public long renewAfterOpsOrDefault() {
        return renewAfterOps == null ? DEFAULT_RENEW_AFTER_OPS : renewAfterOps;
    }

    /** The same configuration with another renewal schedule (tests with short cryptoperiods). */
    public GatewayConfig withRenewal(long afterBlocks, long afterOps) {
        return new GatewayConfig(id, name, signingKey, cometbftHome, rpcPort, controlPort, resubmitAfterMs,
                coapPort, coapHost, mqttPort, mqttUrl, clonePolicy, rekeyArchiveOps, rekeyArchiveMb, afterBlocks,
                afterOps, authzPort, groupSessionInterval, groupWindow, proxyPort);
    }

    /** A configuration with every optional key at its default. */
    public GatewayConfig(int id, String name, String signingKey, String cometbftHome, int rpcPort,
                         int controlPort, long resubmitAfterMs, int coapPort, String coapHost, int mqttPort, String mqttUrl) {
        this(id, name, signingKey, cometbftHome, rpcPort, controlPort, resubmitAfterMs, coapPort, coapHost,
                mqttPort, mqttUrl, "evict", null, null, null, null, null, null, null, null);
    }

    /** Interval sessions: group_session_interval, or {@link #DEFAULT_GROUP_SESSION_INTERVAL} s; zero is off. */
    public java.time.Duration groupSessionIntervalOrDefault() {
        return java.time.Duration.ofSeconds(groupSessionInterval == null ? DEFAULT_GROUP_SESSION_INTERVAL
                : groupSessionInterval);
    }

    /** The healing window of new groups: group_window, or {@link #DEFAULT_GROUP_WINDOW}. */
    public int groupWindowOrDefault() {
        return groupWindow == null ? DEFAULT_GROUP_WINDOW : groupWindow;
    }

    /** The same configuration with other group session settings (tests with short intervals). */
    public GatewayConfig withGroupSessions(long intervalSeconds, int window) {
        return new GatewayConfig(id, name, signingKey, cometbftHome, rpcPort, controlPort, resubmitAfterMs,
                coapPort, coapHost, mqttPort, mqttUrl, clonePolicy, rekeyArchiveOps, rekeyArchiveMb, renewAfterBlocks,
                renewAfterOps, authzPort, intervalSeconds, window, proxyPort);
    }

    /** The UDP port of the authorization clients' CoAP/DTLS endpoint: authz_port, or coap_port + 1. */
    public int authzPortOrDefault() {
        return authzPortOrDefault(coapPort, authzPort);
    }

    private static int authzPortOrDefault(int coapPort, Integer authzPort) {
        return authzPort == null ? coapPort + 1 : authzPort;
    }

    /** The UDP port of the caching proxy's plain CoAP endpoint: proxy_port, or coap_port + 2. */
    public int proxyPortOrDefault() {
        return proxyPort == null ? coapPort + 2 : proxyPort;
    }

    /** The same configuration with the caching proxy on {@code port} (the testnet generator picks free ports). */
    public GatewayConfig withProxyPort(int port) {
        return new GatewayConfig(id, name, signingKey, cometbftHome, rpcPort, controlPort, resubmitAfterMs,
                coapPort, coapHost, mqttPort, mqttUrl, clonePolicy, rekeyArchiveOps, rekeyArchiveMb, renewAfterBlocks,
                renewAfterOps, authzPort, groupSessionInterval, groupWindow, port);
    }

    /** The same configuration with the clients' endpoint on {@code port} (the testnet generator picks free ports). */
    public GatewayConfig withAuthzPort(int port) {
        return new GatewayConfig(id, name, signingKey, cometbftHome, rpcPort, controlPort, resubmitAfterMs,
                coapPort, coapHost, mqttPort, mqttUrl, clonePolicy, rekeyArchiveOps, rekeyArchiveMb, renewAfterBlocks,
                renewAfterOps, port, groupSessionInterval, groupWindow, proxyPort);
    }

    /** The bounds of the key manager's rekey archive: the keys given, the defaults for the others. */
    public RekeyArchive.Limits rekeyArchiveLimits() {
        RekeyArchive.Limits d = RekeyArchive.Limits.DEFAULT;
        try {
            return new RekeyArchive.Limits(rekeyArchiveOps == null ? d.operations() : rekeyArchiveOps,
                    rekeyArchiveMb == null ? d.bytes() : (long) rekeyArchiveMb << 20);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rekey_archive_ops and rekey_archive_mb must be at least 1");
        }
    }

    /** The home at {@code dir} with the signing key and CometBFT home this configuration names. */
    public GatewayHome homeAt(Path dir) {
        return GatewayHome.at(dir).named(signingKey, cometbftHome);
    }

    /** The broker devices and this gateway use (TLS): the external one if configured, else the embedded one. */
    public String brokerUrl() {
        return mqttUrl.isBlank() ? "ssl://127.0.0.1:" + mqttPort : mqttUrl;
    }

    /** The same configuration with an external broker. */
    public GatewayConfig withMqttUrl(String url) {
        return new GatewayConfig(id, name, signingKey, cometbftHome, rpcPort, controlPort, resubmitAfterMs,
                coapPort, coapHost, mqttPort, url, clonePolicy, rekeyArchiveOps, rekeyArchiveMb, renewAfterBlocks,
                renewAfterOps, authzPort, groupSessionInterval, groupWindow, proxyPort);
    }

    /** The same configuration with another watchdog delay (tests that provoke resubmissions). */
    public GatewayConfig withResubmitAfterMs(long ms) {
        return new GatewayConfig(id, name, signingKey, cometbftHome, rpcPort, controlPort, ms,
                coapPort, coapHost, mqttPort, mqttUrl, clonePolicy, rekeyArchiveOps, rekeyArchiveMb, renewAfterBlocks,
                renewAfterOps, authzPort, groupSessionInterval, groupWindow, proxyPort);
    }

    private static void port(String key, int value) {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(key + " must be a port number (1..65535), not " + value);
        }
    }

    private static ObjectMapper mapper() {
        return new TomlMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    }

    public static GatewayConfig load(Path home) throws IOException {
        Path file = GatewayHome.at(home).config();
        if (!Files.exists(file)) {
            throw new IOException(file + " not found: is " + home + " a gateway home (made by bin/chainkm testnet)?");
        }
        try {
            ObjectMapper mapper = mapper();
            JsonNode tree = mapper.readTree(file.toFile());
            if (tree instanceof ObjectNode o && o.remove(OLD_ABCI_PORT) != null) {
                LOG.warn("{}: {} is ignored: the ABCI application listens on the unix socket {} (only CometBFT "
                        + "connects); remove the key", file, OLD_ABCI_PORT, GatewayHome.at(home).abciSocket());
            }
            return mapper.treeToValue(tree, GatewayConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public void save(Path home) throws IOException {
        Files.writeString(GatewayHome.at(home).config(), mapper().writeValueAsString(this));
    }
}
