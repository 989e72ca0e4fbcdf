package chainkm.gateway.home;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayHomeTest {
    @TempDir
    Path dir;

    @Test
    void aNewHomeAndItsSecretsAreTheOwnersOnly() throws IOException {
        GatewayHome home = GatewayHome.create(dir.resolve("gateway-1"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.dir())));
        GatewayHome.writeSecret(home.controlToken(), "abc");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.controlToken())));
        assertEquals("abc\n", Files.readString(home.controlToken()));
        assertEquals("abc", GatewayHome.readLine(home.controlToken()));
    }

    @Test
    void theConfiguredNamesReplaceTheDefaults() {
        GatewayHome home = GatewayHome.at(dir);
        assertEquals(dir.resolve("gateway.key"), home.gatewayKey());
        assertEquals(dir.resolve("cometbft/config/genesis.json"), home.genesis());
        GatewayHome named = home.named("keys/gw.key", "comet");
        assertEquals(dir.resolve("keys/gw.key"), named.gatewayKey());
        assertEquals(dir.resolve("comet/config/genesis.json"), named.genesis());
        assertEquals(dir.resolve("ledger/pending.journal"), named.pendingJournal());
    }
}
