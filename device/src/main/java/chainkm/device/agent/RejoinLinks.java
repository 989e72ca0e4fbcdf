package chainkm.device.agent;

import chainkm.protocol.ledger.RejoinChain;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Hands out the links of the device's rejoin hash chain, one per rejoin attempt. The index of a
 * link is made durable before the link leaves the device, so no link is ever revealed twice by
 * this device, even across a crash (a link revealed but never committed is skipped: the ledger
 * accepts a link up to {@link RejoinChain#MAX_SKIP} below the anchor). File {@code rejoin.index}.
 */
final class RejoinLinks {
    static final String FILE = "rejoin.index";

    private RejoinLinks() {}

    /** The next link, its index already recorded on disk. */
    static synchronized byte[] next(Path stateDir) throws IOException {
        byte[] seed = RejoinSeed.loadOrCreate(stateDir);
        Path file = stateDir.resolve(FILE);
        int used = Files.exists(file) ? ByteBuffer.wrap(Files.readAllBytes(file)).getInt() : 0;
        int k = used + 1;
        Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ch.write(ByteBuffer.allocate(4).putInt(0, k));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(stateDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
        return RejoinChain.proof(seed, k);
    }
}
