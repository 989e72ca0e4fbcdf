package chainkm.testbed;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** What the testnet ITs share: a directory kept when a test fails, a testnet and its devices, stopped after each test. */
abstract class TestnetIT extends TestnetVocabulary {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @AfterEach
    void stopTestnet() {
        stopDevicesAndTestnet();
    }
}
