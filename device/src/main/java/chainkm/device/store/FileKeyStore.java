package chainkm.device.store;

import chainkm.protocol.keys.AesCcm;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key store kept in one file, encrypted and authenticated with AES-128-CCM under a 16-byte
 * storage key that the caller supplies (derived from the device's secret). Every change rewrites
 * the whole file atomically (see {@link KeyStoreFile} for the format), so a crash at any instant
 * leaves the last committed state; the file is created with mode 0600.
 *
 * <p>One process at a time: {@link #open} takes an exclusive lock on {@code <file>.lock} and
 * {@link #close} releases it. The state is at most {@value AesCcm#MAX_PLAINTEXT_SIZE} bytes (the
 * limit of CCM with 13-byte nonces): about 1,980 keys, enough for a device's 2·√n keys up to
 * n ≈ 980,000 devices. A change that would exceed it fails and leaves the store as it was.
 */
public final class FileKeyStore extends AbstractKeyStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileKeyStore.class);

    private final Path file;
    private final byte[] storageKey;
    private final SecureRandom random;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private FileKeyStore(Path file, byte[] storageKey, KeyStoreState state, FileChannel lockChannel, FileLock lock) {
        super(state);
        this.file = file;
        this.storageKey = storageKey;
        this.random = new SecureRandom();
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens the store in file, or an empty store if there is no such file yet (it is written on
     * the first change). A {@code <file>.tmp} left by a crash is deleted: it was never committed.
     *
     * @param storageKey 16 bytes; copied, and zeroed by {@link #close()}
     * @throws IOException if the file is corrupt, was tampered with or is not a key store, if
     *         storageKey is not the key it was written with, or if another store has it open
     */
    public static FileKeyStore open(Path file, byte[] storageKey) throws IOException {
        if (storageKey == null || storageKey.length != AesCcm.KEY_SIZE) {
            throw new IllegalArgumentException("a storage key is " + AesCcm.KEY_SIZE + " bytes");
        }
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "key store directory does not exist");
        }
        FileChannel lockChannel = FileChannel.open(absolute.resolveSibling(absolute.getFileName() + ".lock"),
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(KeyStoreFile.OWNER_ONLY)); // state files are 0600
        FileLock lock = null;
        byte[] key = storageKey.clone();
        try {
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("key store " + absolute + " is open elsewhere");
            }
            if (Files.deleteIfExists(KeyStoreFile.tempFile(absolute))) {
                LOG.info("Removed an uncommitted key store write left by a crash: {}", KeyStoreFile.tempFile(absolute));
            }
            warnIfReadableByOthers(absolute);
            Optional<KeyStoreState> state = KeyStoreFile.load(absolute, key);
            FileKeyStore store = new FileKeyStore(absolute, key, state.orElseGet(KeyStoreState::empty), lockChannel, lock);
            LOG.debug("Opened {}", store);
            return store;
        } catch (IOException | RuntimeException e) {
            Arrays.fill(key, (byte) 0);
            lockChannel.close();
            throw e;
        }
    }

    private static void warnIfReadableByOthers(Path file) throws IOException {
        if (!KeyStoreFile.posix() || !Files.exists(file)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!KeyStoreFile.OWNER_ONLY.containsAll(permissions)) {
            LOG.warn("Key store {} has mode {}; the next write makes it rw-------", file,
                    PosixFilePermissions.toString(permissions));
        }
    }

    /** The store's file. */
    public Path file() {
        return file;
    }

    @Override
    void persist(KeyStoreState next) throws IOException {
        KeyStoreFile.save(file, storageKey, next, random);
    }

    @Override
    void release() throws IOException {
        Arrays.fill(storageKey, (byte) 0);
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }

    @Override
    String where() {
        return ", " + file;
    }
}
