package chainkm.gateway.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed ledger state on disk: one file replaced atomically (write a temp file,
 * fsync it, rename over the old one, fsync the directory), so a kill -9 at any instant
 * leaves either the previous or the new committed state, never a torn one.
 */
public final class StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
    private final Path file;

    public StateStore(Path dir) {
        this.file = dir.resolve("ledger-state.bin");
    }

    public Path file() {
        return file;
    }

    /**
     * The last committed state, or an empty one if none was ever saved. Its digest is recomputed
     * from every entry and compared with the one saved with it.
     *
     * @throws IOException naming the file when it is corrupt (the gateway must not start on it) or
     *     unreadable
     */
    public LedgerState load() throws IOException {
        if (!Files.exists(file)) {
            return LedgerState.empty();
        }
        try {
            return LedgerState.decode(Files.readAllBytes(file));
        } catch (CorruptStateException e) {
            String why = "state file " + file + " is corrupt: " + e.getMessage() + "; restore it or resync this node";
            LOG.error("refusing the ledger state: {}", why);
            throw new IOException(why, e);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void save(LedgerState state) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(state.encode());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
