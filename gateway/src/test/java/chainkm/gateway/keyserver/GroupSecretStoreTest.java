package chainkm.gateway.keyserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.Kdf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group master secrets on disk: owner-only, the same after a restart, written so that a
 * crash leaves either the whole secret or none; and the personal secrets derived from them.
 */
class GroupSecretStoreTest {
    @TempDir
    Path home;

    private Path dir() {
        return home.resolve("groups");
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aSecretIsMadeOnFirstUseOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        GroupSecretStore store = new GroupSecretStore(dir());
        byte[] secret = store.masterSecret("lamp-1/light");
        assertEquals(GroupSecretStore.SECRET_SIZE, secret.length);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));
        Path file = store.fileOf("lamp-1/light");
        assertEquals(List.of(file), files(dir()), "one file, no temporary left");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(secret, Files.readAllBytes(file));
        // the file name does not show the group
        assertFalse(file.getFileName().toString().contains("lamp"), file.toString());
        assertTrue(file.getFileName().toString().matches("[0-9a-f]{64}\\.key"), file.toString());
    }

    @Test
    void theSameSecretComesBackAfterARestartAndGroupsDiffer() throws Exception {
        byte[] first = new GroupSecretStore(dir()).masterSecret("lamp-1/light");
        GroupSecretStore restarted = new GroupSecretStore(dir());
        assertArrayEquals(first, restarted.masterSecret("lamp-1/light"));
        assertFalse(Arrays.equals(first, restarted.masterSecret("lamp-1/temp")));
    }

    @Test
    void aCrashBeforeTheRenameLeavesNoSecretAndTheNextStartMakesAWholeOne() throws Exception {
        RuntimeException crash = new RuntimeException("power lost");
        GroupSecretStore crashing = new GroupSecretStore(dir(), new SecureRandom(), () -> {
            throw crash;
        });
        assertThrows(RuntimeException.class, () -> crashing.masterSecret("lamp-1/light"));
        Path file = crashing.fileOf("lamp-1/light");
        assertFalse(Files.exists(file), "no secret was handed out, none is in place");
        assertEquals(1, files(dir()).size(), "the unfinished temporary file");

        GroupSecretStore restarted = new GroupSecretStore(dir());
        assertEquals(List.of(), files(dir()), "the restart removes the unfinished file");
        byte[] secret = restarted.masterSecret("lamp-1/light");
        assertArrayEquals(secret, Files.readAllBytes(file));
        assertArrayEquals(secret, new GroupSecretStore(dir()).masterSecret("lamp-1/light"));
    }

    @Test
    void aSecretFileOthersCanReadIsRefused() throws Exception {
        GroupSecretStore store = new GroupSecretStore(dir());
        store.masterSecret("lamp-1/light");
        Files.setPosixFilePermissions(store.fileOf("lamp-1/light"), PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> store.masterSecret("lamp-1/light"));
        assertTrue(e.getMessage().contains("readable by others"), e.getMessage());
    }

    @Test
    void aTruncatedSecretFileIsRefusedNotReplaced() throws Exception {
        GroupSecretStore store = new GroupSecretStore(dir());
        store.masterSecret("lamp-1/light");
        Path file = store.fileOf("lamp-1/light");
        Files.write(file, new byte[5]);
        assertThrows(IOException.class, () -> store.masterSecret("lamp-1/light"));
        assertEquals(5, Files.size(file));
    }

    @Test
    void anOpenedUpDirectoryIsClosedAgain() throws Exception {
        Files.createDirectories(dir());
        Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        new GroupSecretStore(dir()).masterSecret("lamp-1/light");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())));
    }

    @Test
    void personalSecretsAreHkdfOfTheGroupSecretAndTheCti() throws Exception {
        GroupSecretStore store = new GroupSecretStore(dir());
        DerivedMemberSecrets secrets = new DerivedMemberSecrets(store);
        byte[] cti = Hex.decode("00112233445566778899aabbccddeeff");
        MemberSecret s = secrets.personalSecret("lamp-1/light", cti);
        assertEquals(0, s.num());
        byte[] info = Arrays.copyOf("chainkm/v1/group/member".getBytes(StandardCharsets.US_ASCII), 23 + 16);
        System.arraycopy(cti, 0, info, 23, 16);
        assertArrayEquals(Kdf.derive(store.masterSecret("lamp-1/light"), null, info, 32), s.key());
        // the same token gets the same secret again, also after a restart; another token or group another one
        assertEquals(s, new DerivedMemberSecrets(new GroupSecretStore(dir())).personalSecret("lamp-1/light", cti));
        byte[] other = cti.clone();
        other[15] ^= 1;
        assertFalse(Arrays.equals(s.key(), secrets.personalSecret("lamp-1/light", other).key()));
        assertFalse(Arrays.equals(s.key(), secrets.personalSecret("lamp-1/temp", cti).key()));
        assertFalse(s.toString().contains(Hex.encode(s.key()).substring(0, 8)), s.toString());
    }
}
