package chainkm.gateway.cometbft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfigTomlTest {

    private static final String SAMPLE = """
            # top comment
            proxy_app = "tcp://127.0.0.1:26658"
            moniker = "old"

            [rpc]
            # the rpc address
            laddr = "tcp://127.0.0.1:26657"
            grpc_laddr = ""

            [p2p]
            laddr = "tcp://0.0.0.0:26656"
            pex = true
            """;

    @Test
    void replacesKeysInTheirOwnSectionOnly() {
        ConfigToml t = ConfigToml.parse(SAMPLE)
                .setString("rpc", "laddr", "tcp://127.0.0.1:1")
                .setString("p2p", "laddr", "tcp://127.0.0.1:2")
                .setBoolean("p2p", "pex", false)
                .setString("", "moniker", "new");
        assertEquals("\"tcp://127.0.0.1:1\"", t.getRaw("rpc", "laddr"));
        assertEquals("\"tcp://127.0.0.1:2\"", t.getRaw("p2p", "laddr"));
        assertEquals("\"\"", t.getRaw("rpc", "grpc_laddr"));
        assertEquals("false", t.getRaw("p2p", "pex"));
        assertEquals("\"new\"", t.getRaw("", "moniker"));
        assertTrue(t.text().contains("# the rpc address\n"), "comments are kept");
    }

    @Test
    void failsLoudlyOnAMissingKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ConfigToml.parse(SAMPLE).setString("rpc", "pex", "x"));
        assertTrue(e.getMessage().contains("'pex'") && e.getMessage().contains("[rpc]"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> ConfigToml.parse(SAMPLE).setString("consensus", "timeout_commit", "1s"));
    }

    @Test
    void failsLoudlyOnADuplicateKey() {
        assertThrows(IllegalStateException.class,
                () -> ConfigToml.parse(SAMPLE + "pex = false\n").setBoolean("p2p", "pex", false));
    }

    @Test
    void quotesTomlStrings() {
        assertEquals("\"a\\\"b\\\\c\\n\"", ConfigToml.quote("a\"b\\c\n"));
        assertEquals("\"\\u0001\"", ConfigToml.quote("\u0001"));
    }
}
