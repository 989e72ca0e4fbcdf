package chainkm.device.store;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The key store file: save and load of a {@link KeyStoreState}.
 *
 * <pre>
 * magic     4 bytes  "CKKS"
 * version   1 byte   1
 * nonce     13 bytes random, fresh for every write
 * sealed    AES-128-CCM(storage key, nonce, aad = the 18 header bytes above, state encoding)
 *           = encrypted state || 8-byte tag
 * </pre>
 *
 * Saving is atomic: write {@code <file>.tmp} (mode 0600), force it to disk, rename it over the
 * file, force the directory. A crash at any point leaves either the old file or the new one.
 */
final class KeyStoreFile {
    static final byte[] MAGIC = {'C', 'K', 'K', 'S'};
    static final int VERSION = 1;
    static final int HEADER_SIZE = MAGIC.length + 1 + AesCcm.NONCE_SIZE;
    static final int MAX_FILE_SIZE = HEADER_SIZE + AesCcm.MAX_PLAINTEXT_SIZE + AesCcm.TAG_SIZE;
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private KeyStoreFile() {}

    static Path tempFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * The state in the file, or empty if there is no file.
     *
     * @throws IOException if the file is not a key store, is corrupt or tampered with, or the
     *         storage key is not the one it was written with
     */
    static Optional<KeyStoreState> load(Path file, byte[] storageKey) throws IOException {
        byte[] bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > MAX_FILE_SIZE) {
                throw new IOException("key store " + file + " is too large (" + size + " bytes) to be one");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read it all
            }
            bytes = buffer.array();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length < HEADER_SIZE + AesCcm.TAG_SIZE) {
            throw new IOException("key store " + file + " is truncated (" + bytes.length + " bytes)");
        }
        if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + " is not a chainkm key store (bad magic)");
        }
        int version = Byte.toUnsignedInt(bytes[MAGIC.length]);
        if (version != VERSION) {
            throw new IOException("key store " + file + " has format version " + version + "; this build reads " + VERSION);
        }
        byte[] header = Arrays.copyOf(bytes, HEADER_SIZE);
        byte[] nonce = Arrays.copyOfRange(bytes, MAGIC.length + 1, HEADER_SIZE);
        byte[] sealed = Arrays.copyOfRange(bytes, HEADER_SIZE, bytes.length);
        byte[] plain;
        try {
            plain = AesCcm.open(storageKey, nonce, header, sealed);
        } catch (AuthenticationException e) {
            throw new IOException("key store " + file
                    + " failed authentication: it is corrupt or was tampered with, or the storage key is wrong");
        }
        try {
            return Optional.of(KeyStoreState.decode(plain));
        } catch (IllegalArgumentException e) {
            throw new IOException("key store " + file + " is malformed: " + e.getMessage());
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Replaces the file with one holding state, atomically and durably. */
    static void save(Path file, byte[] storageKey, KeyStoreState state, SecureRandom random) throws IOException {
        if (state.encodedLength() > AesCcm.MAX_PLAINTEXT_SIZE) {
            throw new IOException("key store would be " + state.encodedLength() + " bytes; the format holds at most "
                    + AesCcm.MAX_PLAINTEXT_SIZE);
        }
        byte[] header = new byte[HEADER_SIZE];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[MAGIC.length] = (byte) VERSION;
        byte[] nonce = new byte[AesCcm.NONCE_SIZE];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, header, MAGIC.length + 1, nonce.length);
        byte[] plain = state.encode();
        byte[] sealed;
        try {
            sealed = AesCcm.seal(storageKey, nonce, header, plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }

        Path temp = tempFile(file);
        Files.deleteIfExists(temp);
        FileAttribute<?>[] attributes = posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
            ByteBuffer out = ByteBuffer.allocate(header.length + sealed.length).put(header).put(sealed).flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file);
    }

    /** Makes the rename durable: on POSIX a directory's entries are flushed by fsync on the directory. */
    static void forceDirectory(Path file) throws IOException {
        if (!posix()) {
            return;
        }
        Path directory = file.toAbsolutePath().getParent();
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
