package chainkm.gateway.home;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenesisTest {
    private static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_B = Base64.getEncoder().encodeToString(filled(32, 7));

    @TempDir
    Path dir;

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private Genesis write(String gateways) throws IOException {
        Path file = Genesis.fileIn(dir.resolve("cometbft"));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"chain_id\": \"c\", \"consensus_params\": {\"block\": {}}, \"app_state\": {\"gateways\": "
                + gateways + "}}");
        return Genesis.load(file);
    }

    @Test
    void readsEachGatewaysKeysAndEndpoint() throws IOException {
        Genesis g = write("[{\"id\": 1, \"public_key\": \"" + KEY_A + "\", \"kem_key\": \"" + KEY_B
                + "\", \"validator_key\": \"" + KEY_B + "\", \"coap\": \"127.0.0.1:5684\"},"
                + "{\"id\": 2, \"public_key\": \"" + KEY_B + "\", \"kem_key\": \"" + KEY_A + "\"}]");
        assertArrayEquals(new byte[32], g.publicKeys().get(1));
        assertArrayEquals(filled(32, 7), g.kemKeys().get(1));
        assertEquals(Map.of(1, new InetSocketAddress("127.0.0.1", 5684)), g.deviceEndpoints());
        assertEquals(1, g.validatorKeys().size(), "validator keys only where given");
        assertTrue(g.consensusParams().isObject());
    }

    @Test
    void aGatewayWithoutKemKeyIsNamedInTheError() throws IOException {
        Genesis g = write("[{\"id\": 3, \"public_key\": \"" + KEY_A + "\"}]");
        IOException e = assertThrows(IOException.class, g::kemKeys);
        assertTrue(e.getMessage().endsWith("genesis.json: gateway 3 has no kem_key"), e.getMessage());
    }

    @Test
    void theAppStateOfInitChainIsCheckedAsBefore() {
        assertEquals("genesis app_state is empty: it must list the consortium's gateways",
                assertThrows(IllegalArgumentException.class, () -> Genesis.fromAppState(new byte[0])).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Genesis.fromAppState(bytes("{nope")))
                .getMessage().startsWith("genesis app_state is not valid JSON"));
        assertEquals("genesis app_state.gateways must be a non-empty array", assertThrows(IllegalArgumentException.class,
                () -> Genesis.fromAppState(bytes("{\"gateways\": []}")).publicKeys()).getMessage());
        String twice = "{\"gateways\": [{\"id\": 1, \"public_key\": \"" + KEY_A + "\"}, {\"id\": 1, \"public_key\": \""
                + KEY_B + "\"}]}";
        assertEquals("gateway id 1 listed twice in genesis", assertThrows(IllegalArgumentException.class,
                () -> Genesis.fromAppState(bytes(twice)).publicKeys()).getMessage());
        assertNull(Genesis.fromAppState(bytes("{\"gateways\": []}")).consensusParams());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
