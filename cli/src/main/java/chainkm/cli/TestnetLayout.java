package chainkm.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code DIR/testnet.json}: what {@code bin/chainkm testnet} generated, read back by
 * {@code status}, {@code submit} and the tests.
 * <pre>
 * {"chain_id": "chainkm-testnet", "profile": "fast",
 *  "gateways": [{"id": 1, "name": "gateway-1", "home": "gateway-1",
 *                "rpc_port": .., "p2p_port": .., "control_port": .., "coap_port": .., "mqtt_port": ..}, ...]}
 * </pre>
 * A gateway's ABCI application has no port (a unix socket in its home, since issue 11): the
 * {@code abci_port} of an older file is ignored.
 */
public record TestnetLayout(@JsonProperty("chain_id") String chainId,
                            @JsonProperty("profile") String profile,
                            @JsonProperty("gateways") List<Gateway> gateways) {
    public static final String FILE = "testnet.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonIgnoreProperties({"abci_port"})
    public record Gateway(@JsonProperty("id") int id,
                          @JsonProperty("name") String name,
                          @JsonProperty("home") String home,
                          @JsonProperty("rpc_port") int rpcPort,
                          @JsonProperty("p2p_port") int p2pPort,
                          @JsonProperty("control_port") int controlPort,
                          @JsonProperty("coap_port") int coapPort,
                          @JsonProperty("mqtt_port") int mqttPort) {}

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE));
    }

    public static TestnetLayout load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IOException(file + " not found: start a testnet first (bin/chainkm testnet --dir " + dir + ")");
        }
        return JSON.readValue(file.toFile(), TestnetLayout.class);
    }

    public void save(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public Gateway gateway(int id) {
        return gateways.stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no gateway " + id + " in this testnet (ids 1.."
                        + gateways.size() + ")"));
    }
}
