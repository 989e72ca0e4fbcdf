package chainkm.cli.authz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner and client key directories: modes, no silent overwrite, the gateway key's format, public keys given three ways. */
class KeyDirectoryTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aNewKeyIsOwnerOnlyInAnOwnerOnlyDirectoryWithItsPublicHalfInHex() throws Exception {
        Path dir = tmp.resolve("alice");
        Ed25519.KeyPair key = KeyDirectory.generate(dir, false);
        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(dir.resolve("client.key")));
        assertEquals(Hex.encode(key.publicKey()) + "\n", Files.readString(dir.resolve("client.pub")));
        // the gateway key's format: base64 of the 32-byte private key
        byte[] seed = Base64.getDecoder().decode(Files.readString(dir.resolve("client.key")).trim());
        assertArrayEquals(key.publicKey(), Ed25519.KeyPair.fromPrivateKey(seed).publicKey());
        assertArrayEquals(key.publicKey(), KeyDirectory.load(dir).publicKey());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void anExistingKeyIsReplacedOnlyWithForce() throws Exception {
        Path dir = tmp.resolve("owner");
        Ed25519.KeyPair first = KeyDirectory.generate(dir, false);
        IOException refused = assertThrows(IOException.class, () -> KeyDirectory.generate(dir, false));
        assertTrue(refused.getMessage().contains("--force"), refused.getMessage());
        assertArrayEquals(first.publicKey(), KeyDirectory.load(dir).publicKey(), "the key is untouched");
        Ed25519.KeyPair second = KeyDirectory.generate(dir, true);
        assertFalse(java.util.Arrays.equals(first.publicKey(), second.publicKey()));
        assertArrayEquals(second.publicKey(), KeyDirectory.load(dir).publicKey());
        assertArrayEquals(second.publicKey(), KeyDirectory.publicKey(dir.toString()), "client.pub follows");
        assertEquals("rw-------", mode(dir.resolve("client.key")));
    }

    @Test
    void anExistingDirectoryIsRestrictedToItsOwner() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("open"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        KeyDirectory.generate(dir, false);
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void aKeyReadableByOthersIsRefused() throws Exception {
        Path dir = tmp.resolve("leaky");
        KeyDirectory.generate(dir, false);
        Files.setPosixFilePermissions(dir.resolve("client.key"), PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> KeyDirectory.load(dir));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void aMissingOrDamagedKeySaysWhatToDo() throws Exception {
        IOException missing = assertThrows(IOException.class, () -> KeyDirectory.load(tmp.resolve("nobody")));
        assertTrue(missing.getMessage().contains("client keygen"), missing.getMessage());
        Path dir = tmp.resolve("damaged");
        KeyDirectory.generate(dir, false);
        Files.writeString(dir.resolve("client.key"), "not base64!\n");
        IOException damaged = assertThrows(IOException.class, () -> KeyDirectory.load(dir));
        assertTrue(damaged.getMessage().contains("not a base64 Ed25519 private key"), damaged.getMessage());
        assertFalse(damaged.getMessage().contains("not base64!"), "the file's content is not echoed");
    }

    @Test
    void aPublicKeyIsHexOrADirectoryOrAFile() throws Exception {
        Path dir = tmp.resolve("bob");
        byte[] pub = KeyDirectory.generate(dir, false).publicKey();
        assertArrayEquals(pub, KeyDirectory.publicKey(Hex.encode(pub)));
        assertArrayEquals(pub, KeyDirectory.publicKey(Hex.encode(pub).toUpperCase()));
        assertArrayEquals(pub, KeyDirectory.publicKey(dir.toString()));
        assertArrayEquals(pub, KeyDirectory.publicKey(dir.resolve("client.pub").toString()));
        Files.delete(dir.resolve("client.pub"));
        assertArrayEquals(pub, KeyDirectory.publicKey(dir.toString()), "derived from client.key");
        assertThrows(IOException.class, () -> KeyDirectory.publicKey("abcd"));
        assertThrows(IOException.class, () -> KeyDirectory.publicKey(Files.createDirectory(tmp.resolve("empty")).toString()));
    }
}
