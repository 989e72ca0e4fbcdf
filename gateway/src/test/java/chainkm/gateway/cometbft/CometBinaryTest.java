package chainkm.gateway.cometbft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CometBinaryTest {

    @TempDir
    Path dir;

    private Path fakeBinary(Path at) throws IOException {
        Files.createDirectories(at.getParent());
        Files.writeString(at, "#!/bin/sh\n");
        Files.setPosixFilePermissions(at, PosixFilePermissions.fromString("rwx------"));
        return at;
    }

    @Test
    void propertyComesFirst() throws IOException {
        Path prop = fakeBinary(dir.resolve("a/cometbft"));
        Path env = fakeBinary(dir.resolve("b/cometbft"));
        assertEquals(prop, CometBinary.locate(prop.toString(), env.toString(), dir));
        assertEquals(env, CometBinary.locate(null, env.toString(), dir));
    }

    @Test
    void searchesBuildBinUpwards() throws IOException {
        Path bin = fakeBinary(dir.resolve("build/bin/cometbft"));
        Path deep = Files.createDirectories(dir.resolve("gateway/target"));
        assertEquals(bin, CometBinary.locate(null, null, deep));
    }

    @Test
    void notFoundNamesMakeCometbft() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CometBinary.locate(dir.resolve("nope").toString(), "", dir));
        assertTrue(e.getMessage().contains("make cometbft"), e.getMessage());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
