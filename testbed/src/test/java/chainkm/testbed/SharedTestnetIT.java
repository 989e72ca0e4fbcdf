package chainkm.testbed;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * One testnet for every test of a class (a start costs 20 to 40 s): the subclass starts it in
 * its own {@code @BeforeAll}, in {@link #dir}, kept when a test fails; it is stopped after the
 * last test, even when one failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SharedTestnetIT extends TestnetVocabulary {
    Path dir;

    /** Runs before the subclass's {@code @BeforeAll}. */
    @BeforeAll
    void takeDirectory(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tempDir) {
        dir = tempDir;
    }

    /** Runs after the subclass's {@code @AfterAll}. */
    @AfterAll
    void stopSharedTestnet() {
        stopDevicesAndTestnet();
    }
}
