package chainkm.testbed;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** What the testnet ITs share: a directory kept when a test fails, a testnet and its devices, stopped after each test. */
abstract class TestnetIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    RunningTestnet net;
    SimulatedDevices sim;

    @AfterEach
    void stopTestnet() {
        if (sim != null) {
            sim.close();
        }
        if (net != null) {
            net.close();
        }
    }
}
