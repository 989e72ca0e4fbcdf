package chainkm.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayKeyTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedKeyIsOwnerOnlyAndLoadsBack() throws IOException {
        Path file = dir.resolve("gateway.key");
        Ed25519.KeyPair key = GatewayKey.generate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(key.publicKey(), GatewayKey.load(file).publicKey());
    }

    @Test
    void regeneratingReplacesTheKeyAndStaysOwnerOnly() throws IOException {
        Path file = dir.resolve("gateway.key");
        Ed25519.KeyPair first = GatewayKey.generate(file);
        Ed25519.KeyPair second = GatewayKey.generate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(second.publicKey(), GatewayKey.load(file).publicKey());
        assertTrue(!java.util.Arrays.equals(first.publicKey(), second.publicKey()));
    }

    @Test
    void aKeyReadableByOthersIsRefused() throws IOException {
        Path file = dir.resolve("gateway.key");
        GatewayKey.generate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> GatewayKey.load(file));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void garbageIsRefused() throws IOException {
        for (String content : new String[] {"not base64 at all!!", "AAAA", "", "aGVsbG8gd29ybGQ="}) {
            Path file = dir.resolve("garbage.key");
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
            IOException e = assertThrows(IOException.class, () -> GatewayKey.load(file), "content '" + content + "'");
            assertTrue(e.getMessage().contains("not a base64 Ed25519 private key"), e.getMessage());
        }
    }

    @Test
    void aMissingKeyIsReportedWithItsPath() {
        Path file = dir.resolve("absent.key");
        IOException e = assertThrows(IOException.class, () -> GatewayKey.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
