package chainkm.gateway.cometbft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code cometbft init}, then edits what it wrote. */
class CometHomeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void initRestrictsKeyFilesToTheOwner() throws IOException {
        CometHome home = CometHome.init(dir.resolve("n0"), "n0");
        for (Path key : List.of(home.privValidatorKeyFile(), home.nodeKeyFile(), home.privValidatorStateFile())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.configDir())));
    }

    @Test
    void initTightensLoosenedPermissionsAndKeepsExistingKeys() throws IOException {
        CometHome first = CometHome.init(dir.resolve("n0"), "n0");
        String pub = first.validatorPubKeyBase64();
        Files.setPosixFilePermissions(first.nodeKeyFile(), PosixFilePermissions.fromString("rw-r--r--"));
        CometHome again = CometHome.init(dir.resolve("n0"), "n0");
        assertEquals(pub, again.validatorPubKeyBase64());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(again.nodeKeyFile())));
    }

    @Test
    void nodeIdMatchesCometbftShowNodeId() throws Exception {
        CometHome home = CometHome.init(dir.resolve("n0"), "n0");
        Process p = new ProcessBuilder(CometBinary.locate().toString(), "show-node-id", "--home", home.home().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(out, home.nodeId());
        assertTrue(home.nodeId().matches("[0-9a-f]{40}"));
        assertTrue(home.validatorAddressHex().matches("[0-9A-F]{40}"));
    }

    @Test
    void writeConfigSetsEveryKeyInItsSection() throws IOException {
        CometHome home = CometHome.init(dir.resolve("n0"), "n0");
        String peer = NodeConfig.loopbackPeer("0123456789abcdef0123456789abcdef01234567", 40001);
        home.writeConfig(new NodeConfig("n0", 40000, 40002, "tcp://127.0.0.1:40003", Profile.FAST, List.of(peer)));

        ConfigToml t = ConfigToml.load(home.configToml());
        assertEquals("\"n0\"", t.getRaw("", "moniker"));
        assertEquals("\"tcp://127.0.0.1:40003\"", t.getRaw("", "proxy_app"));
        assertEquals("\"info\"", t.getRaw("", "log_level"));
        assertEquals("\"goleveldb\"", t.getRaw("", "db_backend"));
        assertEquals("\"tcp://127.0.0.1:40002\"", t.getRaw("rpc", "laddr"));
        assertEquals("\"10s\"", t.getRaw("rpc", "timeout_broadcast_tx_commit"));
        assertEquals("\"tcp://127.0.0.1:40000\"", t.getRaw("p2p", "laddr"));
        assertEquals("\"" + peer + "\"", t.getRaw("p2p", "persistent_peers"));
        assertEquals("false", t.getRaw("p2p", "addr_book_strict"));
        assertEquals("true", t.getRaw("p2p", "allow_duplicate_ip"));
        assertEquals("false", t.getRaw("p2p", "pex"));
        assertEquals("\"400ms\"", t.getRaw("consensus", "timeout_propose"));
        assertEquals("\"100ms\"", t.getRaw("consensus", "timeout_prevote"));
        assertEquals("\"100ms\"", t.getRaw("consensus", "timeout_precommit"));
        assertEquals("\"10ms\"", t.getRaw("consensus", "timeout_commit"));
        assertEquals("true", t.getRaw("consensus", "create_empty_blocks"));
        assertEquals("\"1s\"", t.getRaw("consensus", "create_empty_blocks_interval"));
        assertEquals("\"1ms\"", t.getRaw("consensus", "peer_gossip_sleep_duration"));
        assertEquals("\"1ms\"", t.getRaw("p2p", "flush_throttle_timeout"));
        assertEquals("false", t.getRaw("instrumentation", "prometheus"));
        // untouched neighbours keep their defaults
        assertEquals("\"\"", t.getRaw("rpc", "grpc_laddr"));
        assertEquals("\"flood\"", t.getRaw("mempool", "type"));

        // rewriting with another profile works on the already edited file
        home.writeConfig(new NodeConfig("n0", 40000, 40002, "kvstore", Profile.PAPER, List.of()));
        t = ConfigToml.load(home.configToml());
        assertEquals("\"1s\"", t.getRaw("consensus", "timeout_commit"));
        assertEquals("\"0s\"", t.getRaw("consensus", "create_empty_blocks_interval"));
        assertEquals("\"100ms\"", t.getRaw("p2p", "flush_throttle_timeout"));
        assertEquals("\"\"", t.getRaw("p2p", "persistent_peers"));
    }

    @Test
    void writeConfigRefusesAnotherMonikerAndABrokenFile() throws IOException {
        CometHome home = CometHome.init(dir.resolve("n0"), "n0");
        NodeConfig other = new NodeConfig("n1", 40000, 40002, "kvstore", Profile.FAST, List.of());
        assertThrows(IllegalArgumentException.class, () -> home.writeConfig(other));

        String text = Files.readString(home.configToml()).replace("timeout_commit =", "# timeout_commit =");
        Files.writeString(home.configToml(), text);
        NodeConfig mine = new NodeConfig("n0", 40000, 40002, "kvstore", Profile.FAST, List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> home.writeConfig(mine));
        assertTrue(e.getMessage().contains("timeout_commit"), e.getMessage());
    }

    @Test
    void nodeConfigRejectsMalformedPeers() {
        assertThrows(IllegalArgumentException.class,
                () -> new NodeConfig("n0", 1, 2, "kvstore", Profile.FAST, List.of("127.0.0.1:3")));
        assertThrows(IllegalArgumentException.class,
                () -> new NodeConfig("n0", 1, 1, "kvstore", Profile.FAST, List.of()));
    }

    @Test
    void writeGenesisListsEveryValidatorAndKeepsAppStateVerbatim() throws IOException {
        CometHome a = CometHome.init(dir.resolve("a"), "gw-a");
        CometHome b = CometHome.init(dir.resolve("b"), "gw-b");
        JsonNode defaults = JSON.readTree(a.genesisFile().toFile()).get("consensus_params");
        String appState = "{\"gateways\": [1, 2.50, \"x\"], \"n\": 12345678901234567890}";
        Instant t = Instant.parse("2026-01-02T03:04:05.678Z");

        CometHome.writeGenesis(List.of(a, b), "chainkm-test", appState, t);

        byte[] ga = Files.readAllBytes(a.genesisFile());
        assertArrayEquals(ga, Files.readAllBytes(b.genesisFile()), "every home gets the same genesis");
        JsonNode g = JSON.readTree(ga);
        assertEquals("chainkm-test", g.get("chain_id").asText());
        assertEquals("2026-01-02T03:04:05.678Z", g.get("genesis_time").asText());
        assertEquals("1", g.get("initial_height").asText());
        assertEquals("", g.get("app_hash").asText());
        assertEquals(defaults, g.get("consensus_params"));
        JsonNode vals = g.get("validators");
        assertEquals(2, vals.size());
        for (int i = 0; i < 2; i++) {
            CometHome h = List.of(a, b).get(i);
            JsonNode v = vals.get(i);
            assertEquals(h.validatorAddressHex(), v.get("address").asText());
            assertEquals("tendermint/PubKeyEd25519", v.get("pub_key").get("type").asText());
            assertEquals(h.validatorPubKeyBase64(), v.get("pub_key").get("value").asText());
            assertEquals("10", v.get("power").asText());
            assertEquals(h.moniker(), v.get("name").asText());
        }
        assertEquals(JSON.readTree(appState), g.get("app_state"));
        assertTrue(new String(ga, StandardCharsets.UTF_8).contains(appState), "app_state text is kept as given");
        try (var s = Files.list(a.configDir())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
    }

    @Test
    void writeGenesisRefusesBadInput() throws IOException {
        CometHome a = CometHome.init(dir.resolve("a"), "gw-a");
        assertThrows(IllegalArgumentException.class, () -> CometHome.writeGenesis(List.of(a), "c", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> CometHome.writeGenesis(List.of(a), "", "{}"));
        assertThrows(IllegalArgumentException.class, () -> CometHome.writeGenesis(List.of(a, a), "c", "{}"));
        assertThrows(IllegalArgumentException.class, () -> CometHome.writeGenesis(List.of(), "c", "{}"));
    }
}
