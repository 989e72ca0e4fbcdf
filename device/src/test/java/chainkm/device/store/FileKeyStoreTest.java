package chainkm.device.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyStoreTest extends KeyStoreContract {
    private static final byte[] STORAGE_KEY = Hex.decode("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("keys.store");
    }

    @Override
    AbstractKeyStore newStore() throws IOException {
        return FileKeyStore.open(file(), STORAGE_KEY);
    }

    /** Closes the store and opens it again, as a reboot would. */
    private FileKeyStore reboot() throws IOException {
        store.close();
        FileKeyStore reopened = FileKeyStore.open(file(), STORAGE_KEY);
        store = reopened;
        return reopened;
    }

    private void fillWithEveryKind() {
        store.edit(edit -> {
            edit.put(material(KeyId.nodeKey(12), 4));
            edit.put(material(KeyId.setKey(3), 5));
            edit.put(material(KeyId.pairwiseNodeKey(12, 40), 6));
            edit.put(material(KeyId.pairwiseNodeKey(12, 7), 6));
            edit.put(material(KeyId.pairwiseSetKey(3, 7), 7));
            edit.setSeq(7);
        });
        store.nextNonceCounter("d2d", 1000);
        store.nextNonceCounter("ñame ünicode", 3);
    }

    private Map<KeyId, KeyMaterial> contents() {
        Map<KeyId, KeyMaterial> contents = new TreeMap<>();
        for (KeyId id : store.ids()) {
            contents.put(id, store.get(id).orElseThrow());
        }
        return contents;
    }

    @Test
    void aMissingFileIsAnEmptyStoreAndIsWrittenOnTheFirstChange() throws IOException {
        store = newStore();
        assertFalse(Files.exists(file()));
        store.setSeq(1);
        assertTrue(Files.exists(file()));
    }

    @Test
    void roundTripsEverythingThroughTheFile() throws IOException {
        store = newStore();
        fillWithEveryKind();
        Map<KeyId, KeyMaterial> before = contents();
        reboot();
        assertEquals(before, contents());
        assertEquals(7, store.seq());
        assertEquals(1000, store.counter("d2d"));
        assertEquals(3, store.counter("ñame ünicode"));
    }

    @Test
    void writesTheDocumentedFormat() throws Exception {
        store = newStore();
        KeyMaterial nk = material(KeyId.nodeKey(12), 4);
        store.put(nk);
        store.setSeq(9);
        byte[] bytes = Files.readAllBytes(file());
        assertEquals("434b4b5301", Hex.encode(Arrays.copyOf(bytes, 5)), "magic CKKS, version 1");
        byte[] nonce = Arrays.copyOfRange(bytes, 5, 18);
        byte[] plain = AesCcm.open(STORAGE_KEY, nonce, Arrays.copyOf(bytes, 18), Arrays.copyOfRange(bytes, 18, bytes.length));
        ByteBuffer expected = ByteBuffer.allocate(8 + 4 + 5 + 8 + 16 + 4);
        expected.putLong(9).putInt(1).put(KeyId.nodeKey(12).encode()).putLong(4).put(nk.key()).putInt(0);
        assertArrayEquals(expected.array(), plain);
        assertEquals(18 + plain.length + 8, bytes.length);
    }

    @Test
    void usesAFreshNonceForEveryWrite() throws IOException {
        store = newStore();
        store.setSeq(1);
        byte[] first = Arrays.copyOfRange(Files.readAllBytes(file()), 5, 18);
        store.setSeq(1);
        byte[] second = Arrays.copyOfRange(Files.readAllBytes(file()), 5, 18);
        assertNotEquals(Hex.encode(first), Hex.encode(second));
    }

    @Test
    void theFileIsReadableByItsOwnerOnly() throws IOException {
        store = newStore();
        fillWithEveryKind();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
        assertFalse(Files.exists(KeyStoreFile.tempFile(file())), "no temporary file left behind");
    }

    @Test
    void refusesAFileWithAnyByteChanged() throws IOException {
        store = newStore();
        store.put(material(KeyId.nodeKey(1), 1));
        store.nextNonceCounter("d2d", 10);
        store.close();
        store = null;
        byte[] original = Files.readAllBytes(file());
        for (int i = 0; i < original.length; i++) {
            byte[] tampered = original.clone();
            tampered[i] ^= 0x01;
            Files.write(file(), tampered);
            IOException e = assertThrows(IOException.class, () -> FileKeyStore.open(file(), STORAGE_KEY), "byte " + i);
            assertFalse(e.getMessage().contains(Hex.encode(STORAGE_KEY)));
        }
        for (int n : new int[] {0, 1, 17, 18, 25, original.length - 1}) {
            Files.write(file(), Arrays.copyOf(original, n));
            assertThrows(IOException.class, () -> FileKeyStore.open(file(), STORAGE_KEY), "truncated to " + n);
        }
        Files.write(file(), Arrays.copyOf(original, original.length + 1));
        assertThrows(IOException.class, () -> FileKeyStore.open(file(), STORAGE_KEY), "extended");
        Files.write(file(), original);
        FileKeyStore.open(file(), STORAGE_KEY).close();
    }

    @Test
    void refusesTheWrongStorageKeyWithAClearMessage() throws IOException {
        store = newStore();
        store.put(material(KeyId.nodeKey(1), 1));
        store.close();
        store = null;
        byte[] wrong = STORAGE_KEY.clone();
        wrong[0] ^= 1;
        IOException e = assertThrows(IOException.class, () -> FileKeyStore.open(file(), wrong));
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
        assertTrue(e.getMessage().contains("storage key"), e.getMessage());
        assertFalse(e.getMessage().contains(Hex.encode(wrong)));
        assertFalse(e.getMessage().contains(Hex.encode(STORAGE_KEY)));
        assertThrows(IllegalArgumentException.class, () -> FileKeyStore.open(file(), new byte[32]));
    }

    @Test
    void refusesAFileThatIsNotAKeyStore() throws IOException {
        Files.writeString(file(), "this is a configuration file, not a key store");
        IOException e = assertThrows(IOException.class, () -> FileKeyStore.open(file(), STORAGE_KEY));
        assertTrue(e.getMessage().contains("not a chainkm key store"), e.getMessage());
    }

    @Test
    void ignoresAndRemovesALeftoverTemporaryFile() throws IOException {
        store = newStore();
        fillWithEveryKind();
        Map<KeyId, KeyMaterial> before = contents();
        store.close();
        store = null;
        Files.write(KeyStoreFile.tempFile(file()), new byte[] {1, 2, 3});
        store = FileKeyStore.open(file(), STORAGE_KEY);
        assertEquals(before, contents());
        assertFalse(Files.exists(KeyStoreFile.tempFile(file())));
    }

    @Test
    void nonceCountersNeverRepeatAcrossReboots() throws IOException {
        store = newStore();
        long previousEnd = 0;
        for (int boot = 0; boot < 20; boot++) {
            for (int i = 0; i < 3; i++) {
                int reserve = 1 + boot * 7 + i;
                long first = store.nextNonceCounter("d2d", reserve);
                assertTrue(first >= previousEnd, "block at " + first + " overlaps one ending at " + previousEnd);
                previousEnd = first + reserve;
            }
            // some of the reserved block is used, then the device reboots
            reboot();
            assertEquals(previousEnd, store.counter("d2d"));
        }
    }

    @Test
    void aFailedEditLeavesTheFileUnchanged() throws IOException {
        store = newStore();
        fillWithEveryKind();
        byte[] before = Files.readAllBytes(file());
        assertThrows(IllegalStateException.class, () -> store.edit(edit -> {
            edit.remove(KeyId.setKey(3));
            edit.setSeq(8);
            throw new IllegalStateException("bad rekey message");
        }));
        assertArrayEquals(before, Files.readAllBytes(file()));
        reboot();
        assertTrue(store.get(KeyId.setKey(3)).isPresent());
        assertEquals(7, store.seq());
    }

    @Test
    void aFailedWriteChangesNothingAndHandsOutNoCounter() throws IOException {
        store = newStore();
        fillWithEveryKind();
        Map<KeyId, KeyMaterial> before = contents();
        // a directory where the temporary file should go makes every write fail (even as root)
        Path blocker = KeyStoreFile.tempFile(file());
        Files.createDirectory(blocker);
        Files.writeString(blocker.resolve("x"), "x");
        assertThrows(UncheckedIOException.class, () -> store.put(material(KeyId.nodeKey(99), 8)));
        assertThrows(UncheckedIOException.class, () -> store.nextNonceCounter("d2d", 10));
        assertEquals(before, contents());
        assertEquals(1000, store.counter("d2d"));
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        assertEquals(1000, store.nextNonceCounter("d2d", 10));
        reboot();
        assertEquals(1010, store.counter("d2d"));
        assertEquals(before, contents());
    }

    @Test
    void refusesAStoreLargerThanTheFormatHolds() throws IOException {
        store = newStore();
        assertThrows(UncheckedIOException.class, () -> store.edit(edit -> {
            for (int i = 0; i < 2100; i++) {
                edit.put(material(KeyId.pairwiseNodeKey(i, i + 1_000_000), 1));
            }
        }));
        assertEquals(0, store.size());
        store.edit(edit -> {
            for (int i = 0; i < 1900; i++) {
                edit.put(material(KeyId.pairwiseNodeKey(i, i + 1_000_000), 1));
            }
        });
        reboot();
        assertEquals(1900, store.size());
    }

    @Test
    void isOpenInOnePlaceAtATime() throws IOException {
        store = newStore();
        IOException e = assertThrows(IOException.class, () -> FileKeyStore.open(file(), STORAGE_KEY));
        assertTrue(e.getMessage().contains("open elsewhere"), e.getMessage());
        store.close();
        store = FileKeyStore.open(file(), STORAGE_KEY);
    }

    @Test
    void closeZeroesTheStorageKey() throws Exception {
        FileKeyStore fileStore = FileKeyStore.open(file(), STORAGE_KEY);
        store = fileStore;
        var field = FileKeyStore.class.getDeclaredField("storageKey");
        field.setAccessible(true);
        byte[] held = (byte[]) field.get(fileStore);
        assertArrayEquals(STORAGE_KEY, held);
        fileStore.close();
        assertArrayEquals(new byte[16], held);
    }

    @Test
    void refusesADirectoryThatDoesNotExist() {
        assertThrows(IOException.class, () -> FileKeyStore.open(dir.resolve("missing/keys.store"), STORAGE_KEY));
    }

    @Test
    void opensTheSameContentsWithEveryKindListed() throws IOException {
        store = newStore();
        fillWithEveryKind();
        reboot();
        assertEquals(List.of(KeyId.nodeKey(12), KeyId.setKey(3), KeyId.pairwiseNodeKey(7, 12),
                KeyId.pairwiseNodeKey(12, 40), KeyId.pairwiseSetKey(3, 7)), List.copyOf(store.ids()));
    }
}
