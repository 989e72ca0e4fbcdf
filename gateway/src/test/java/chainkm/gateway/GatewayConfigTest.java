package chainkm.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    @TempDir
    Path home;

    private static final String VALID = """
            id = 3
            name = "gateway-3"
            signing_key = "gateway.key"
            cometbft_home = "cometbft"
            rpc_port = 26657
            control_port = 26700
            resubmit_after_ms = 1500
            coap_port = 5684
            mqtt_port = 1883
            """;

    private IOException loadFails(String toml) throws IOException {
        Files.writeString(home.resolve(GatewayConfig.FILE), toml);
        return assertThrows(IOException.class, () -> GatewayConfig.load(home));
    }

    @Test
    void saveThenLoadGivesTheSameConfig() throws IOException {
        GatewayConfig c = new GatewayConfig(2, "edge-2", "keys/gw.key", "comet", 36657, 36700, 750, 35684, "127.0.0.1", 31883, "");
        c.save(home);
        assertEquals(c, GatewayConfig.load(home));
    }

    @Test
    void loadsTheDocumentedFormatAndDefaultsTheOptionalKeys() throws IOException {
        Files.writeString(home.resolve(GatewayConfig.FILE), VALID);
        GatewayConfig c = GatewayConfig.load(home);
        assertEquals(new GatewayConfig(3, "gateway-3", "gateway.key", "cometbft", 26657, 26700, 1500, 5684, "127.0.0.1", 1883, ""), c);

        Files.writeString(home.resolve(GatewayConfig.FILE), "id = 4\nrpc_port = 2\ncontrol_port = 3\ncoap_port = 4\nmqtt_port = 5\n");
        GatewayConfig d = GatewayConfig.load(home);
        assertEquals("gateway-4", d.name());
        assertEquals("gateway.key", d.signingKey());
        assertEquals("cometbft", d.cometbftHome());
        assertEquals(3000, d.resubmitAfterMs());
    }

    @Test
    void theClientsPortDefaultsToTheDevicePortPlusOneAndMustDifferFromIt() throws IOException {
        Files.writeString(home.resolve(GatewayConfig.FILE), VALID);
        assertEquals(5685, GatewayConfig.load(home).authzPortOrDefault());
        Files.writeString(home.resolve(GatewayConfig.FILE), VALID + "authz_port = 6000\n");
        GatewayConfig c = GatewayConfig.load(home);
        assertEquals(6000, c.authzPortOrDefault());
        c.save(home);
        assertEquals(c, GatewayConfig.load(home));
        assertTrue(loadFails(VALID + "authz_port = 5684\n").getMessage().contains("authz_port must differ from coap_port"));
        assertTrue(loadFails(VALID + "authz_port = 0\n").getMessage().contains("authz_port"));
    }

    @Test
    void theProxyPortDefaultsToTheDevicePortPlusTwoAndMustDifferFromTheOthers() throws IOException {
        Files.writeString(home.resolve(GatewayConfig.FILE), VALID);
        assertEquals(5686, GatewayConfig.load(home).proxyPortOrDefault());
        Files.writeString(home.resolve(GatewayConfig.FILE), VALID + "proxy_port = 6001\n");
        GatewayConfig c = GatewayConfig.load(home);
        assertEquals(6001, c.proxyPortOrDefault());
        c.save(home);
        assertEquals(c, GatewayConfig.load(home));
        assertTrue(loadFails(VALID + "proxy_port = 5684\n").getMessage().contains("proxy_port must differ"));
        assertTrue(loadFails(VALID + "proxy_port = 5685\n").getMessage().contains("proxy_port must differ"));
        assertTrue(loadFails(VALID + "authz_port = 5686\n").getMessage().contains("set proxy_port"));
    }

    @Test
    void theAbciPortOfAnOlderConfigurationIsIgnoredAndNotWrittenAgain() throws IOException {
        Files.writeString(home.resolve(GatewayConfig.FILE), VALID + "abci_port = 26658\n");
        GatewayConfig c = GatewayConfig.load(home);
        assertEquals(GatewayConfig.load(writeAndReturn(VALID)), c);
        c.save(home);
        assertFalse(Files.readString(home.resolve(GatewayConfig.FILE)).contains("abci"), "generated configs have no ABCI port");
    }

    private Path writeAndReturn(String toml) throws IOException {
        Path other = Files.createDirectories(home.resolve("other"));
        Files.writeString(other.resolve(GatewayConfig.FILE), toml);
        return other;
    }

    @Test
    void unknownKeysAreRefused() throws IOException {
        IOException e = loadFails(VALID + "rpc_prot = 1234\n");
        assertTrue(e.getMessage().contains("rpc_prot"), e.getMessage());
        assertTrue(e.getMessage().contains(home.resolve(GatewayConfig.FILE).toString()), e.getMessage());
    }

    @Test
    void aBadPortIsRefusedNamingTheKey() throws IOException {
        IOException e = loadFails(VALID.replace("rpc_port = 26657", "rpc_port = 70000"));
        assertTrue(e.getMessage().contains("rpc_port") && e.getMessage().contains("70000"), e.getMessage());
        IOException missing = loadFails(VALID.replace("control_port = 26700\n", ""));
        assertTrue(missing.getMessage().contains("control_port"), missing.getMessage());
        IOException id = loadFails(VALID.replace("id = 3", "id = 70000"));
        assertTrue(id.getMessage().contains("id must be"), id.getMessage());
    }

    @Test
    void aMissingFileIsReportedWithItsPath() {
        IOException e = assertThrows(IOException.class, () -> GatewayConfig.load(home));
        assertTrue(e.getMessage().contains(home.resolve(GatewayConfig.FILE).toString()), e.getMessage());
    }
}
