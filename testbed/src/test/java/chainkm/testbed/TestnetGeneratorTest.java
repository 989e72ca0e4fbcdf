package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.cometbft.Profile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safety defaults of a generated testnet: private keys 0600, RPC on loopback only, distinct ports. */
class TestnetGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void privateKeysAreOwnerOnlyAndTheRpcListensOnLoopbackOnly() throws Exception {
        TestnetLayout layout = TestnetGenerator.generate(dir, 3, Profile.FAST);
        Set<Integer> ports = new HashSet<>();
        for (TestnetLayout.Gateway g : layout.gateways()) {
            Path home = dir.resolve(g.home());
            for (Path secret : List.of(home.resolve("gateway.key"), home.resolve("control.token"),
                    home.resolve("cometbft/config/priv_validator_key.json"), home.resolve("cometbft/config/node_key.json"))) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)), secret.toString());
            }
            String config = Files.readString(home.resolve("cometbft/config/config.toml"));
            assertTrue(config.contains("laddr = \"tcp://127.0.0.1:" + g.rpcPort() + "\""), "RPC on loopback");
            assertFalse(config.contains("0.0.0.0"), "nothing listens on all interfaces");
            GatewayConfig gc = GatewayConfig.load(home);
            assertEquals(g.id(), gc.id());
            assertTrue(config.contains("proxy_app = \"unix://" + home.toAbsolutePath().resolve("abci.sock") + "\""),
                    "the ledger application on a unix socket in the gateway's home, no ABCI port");
            assertFalse(Files.readString(home.resolve("gateway.toml")).contains("abci_port"));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
            for (int p : List.of(g.rpcPort(), g.p2pPort(), g.controlPort(), g.coapPort(), g.mqttPort(),
                    gc.authzPortOrDefault())) {
                assertTrue(ports.add(p), "port " + p + " used twice");
            }
        }
        JsonNode genesis = new ObjectMapper().readTree(dir.resolve("gateway-1/cometbft/config/genesis.json").toFile());
        assertEquals(3, genesis.path("validators").size());
        assertEquals(3, genesis.path("app_state").path("gateways").size());
        assertEquals(Files.readString(dir.resolve("gateway-1/cometbft/config/genesis.json")),
                Files.readString(dir.resolve("gateway-3/cometbft/config/genesis.json")), "one genesis for all");
    }
}
