package chainkm.gateway.home;

import chainkm.protocol.crypto.TlsPin;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one reader of the consortium's genesis: CometBFT's {@code config/genesis.json}, or the
 * {@code app_state} that InitChain hands the ledger. The consortium is
 * {@code app_state.gateways}, one entry per gateway:
 * <pre>
 * {"id": 1, "name": "gateway-1",
 *  "public_key": "&lt;base64 Ed25519, signs its transactions&gt;",
 *  "kem_key": "&lt;base64 X25519, pair secrets between gateways&gt;",
 *  "validator_key": "&lt;base64 Ed25519, its CometBFT validator&gt;",
 *  "coap": "127.0.0.1:5684",
 *  "mqtt_tls_sha256": "&lt;hex SHA-256 of its MQTT broker's SubjectPublicKeyInfo&gt;"}
 * </pre>
 * Each accessor checks only what it reads, when it is called.
 */
public final class Genesis {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final JsonNode root;
    private final JsonNode gateways;

    private Genesis(String source, JsonNode root, JsonNode appState) {
        this.source = source;
        this.root = root;
        this.gateways = appState.path("gateways");
    }

    /** Where {@code cometbft init} puts the genesis in a CometBFT home. */
    public static Path fileIn(Path cometbftHome) {
        return cometbftHome.resolve("config").resolve("genesis.json");
    }

    /** A genesis.json file. */
    public static Genesis load(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        return new Genesis(file.toString(), root, root.path("app_state"));
    }

    /**
     * InitChain's app_state bytes.
     *
     * @throws IllegalArgumentException when they are empty or not JSON
     */
    public static Genesis fromAppState(byte[] appStateJson) {
        if (appStateJson == null || appStateJson.length == 0) {
            throw new IllegalArgumentException("genesis app_state is empty: it must list the consortium's gateways");
        }
        try {
            return new Genesis("genesis app_state", null, JSON.readTree(appStateJson));
        } catch (IOException e) {
            throw new IllegalArgumentException("genesis app_state is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** CometBFT's consensus parameters, or null when a genesis file has none (or this is only an app_state). */
    public JsonNode consensusParams() {
        return root == null ? null : root.get("consensus_params");
    }

    /**
     * Each gateway's Ed25519 public key ({@code public_key}), by id.
     *
     * @throws IllegalArgumentException when there is no gateway or an id is listed twice
     */
    public SortedMap<Integer, byte[]> publicKeys() {
        if (!gateways.isArray() || gateways.isEmpty()) {
            throw new IllegalArgumentException("genesis app_state.gateways must be a non-empty array");
        }
        TreeMap<Integer, byte[]> keys = new TreeMap<>();
        for (JsonNode g : gateways) {
            int id = g.path("id").asInt(-1);
            byte[] key = Base64.getDecoder().decode(g.path("public_key").asText(""));
            if (keys.put(id, key) != null) {
                throw new IllegalArgumentException("gateway id " + id + " listed twice in genesis");
            }
        }
        return keys;
    }

    /** Each gateway's X25519 key ({@code kem_key}), by id; every gateway must have one. */
    public Map<Integer, byte[]> kemKeys() throws IOException {
        Map<Integer, byte[]> keys = new TreeMap<>();
        for (JsonNode g : gateways) {
            String kem = g.path("kem_key").asText("");
            if (kem.isEmpty()) {
                throw new IOException(source + ": gateway " + g.path("id").asInt() + " has no kem_key");
            }
            keys.put(g.path("id").asInt(), Base64.getDecoder().decode(kem));
        }
        return keys;
    }

    /** Each gateway's CometBFT validator key ({@code validator_key}), by id, where it is given. */
    public Map<Integer, byte[]> validatorKeys() {
        Map<Integer, byte[]> out = new TreeMap<>();
        for (JsonNode g : gateways) {
            String key = g.path("validator_key").asText("");
            if (!key.isEmpty()) {
                out.put(g.path("id").asInt(), Base64.getDecoder().decode(key));
            }
        }
        return out;
    }

    /**
     * Each gateway's MQTT broker key pin ({@code mqtt_tls_sha256}: 64 hex digits, the SHA-256 of
     * its certificate's SubjectPublicKeyInfo), by id, where it is given.
     *
     * @throws IllegalArgumentException when one is not 64 hex digits
     */
    public Map<Integer, TlsPin> mqttTlsPins() {
        Map<Integer, TlsPin> out = new TreeMap<>();
        for (JsonNode g : gateways) {
            String pin = g.path("mqtt_tls_sha256").asText("");
            if (!pin.isEmpty()) {
                try {
                    out.put(g.path("id").asInt(), TlsPin.fromHex(pin));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + ": gateway " + g.path("id").asInt()
                            + " mqtt_tls_sha256: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** Each gateway's device endpoint ({@code coap}, "host:port"), by id, where it is given. */
    public Map<Integer, InetSocketAddress> deviceEndpoints() {
        Map<Integer, InetSocketAddress> out = new TreeMap<>();
        for (JsonNode g : gateways) {
            String coap = g.path("coap").asText("");
            int colon = coap.lastIndexOf(':');
            if (colon > 0) {
                out.put(g.path("id").asInt(), new InetSocketAddress(coap.substring(0, colon),
                        Integer.parseInt(coap.substring(colon + 1))));
            }
        }
        return out;
    }
}
