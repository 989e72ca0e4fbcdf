package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateWipeTest {
    @TempDir
    Path state;

    @Test
    void theKeyStoreItsKeyTheIdentityKeyAndTheRejoinSeedAreGoneAndNothingElseIsTouched() throws IOException {
        Files.write(state.resolve("keys.store"), new byte[10_000]);
        Files.write(state.resolve("keys.store.lock"), new byte[0]);
        Files.write(state.resolve(RejoinSeed.FILE), new byte[] {1, 2, 3});
        Files.writeString(state.resolve("provisioning.properties"), "device.name=x\n");
        Files.write(state.resolve(IdentityKey.FILE), new byte[32]);
        Files.createDirectories(state.resolve(StoreKey.DIR));
        Files.write(state.resolve(StoreKey.FILE), new byte[16]);
        Files.writeString(state.resolve(Activation.MARKER), "activated\n");
        StateWipe.wipe(state);
        assertFalse(Files.exists(state.resolve(IdentityKey.FILE)));
        assertFalse(Files.exists(state.resolve(StoreKey.FILE)));
        assertFalse(Files.exists(state.resolve(Activation.MARKER)));
        assertFalse(Files.exists(state.resolve("keys.store")));
        assertFalse(Files.exists(state.resolve("keys.store.lock")));
        assertFalse(Files.exists(state.resolve(RejoinSeed.FILE)));
        assertTrue(Files.exists(state.resolve("provisioning.properties")));
        try (Stream<Path> left = Files.list(state)) {
            assertEquals(2, left.count()); // the bundle and the empty key directory
        }
        StateWipe.wipe(state); // nothing left to wipe: no error
    }
}
