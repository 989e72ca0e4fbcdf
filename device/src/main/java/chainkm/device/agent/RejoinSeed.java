package chainkm.device.agent;

import chainkm.protocol.ledger.RejoinChain;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The seed of the device's rejoin hash chain ({@link RejoinChain}): made on the device before
 * its first join and never sent anywhere (only the chain's anchor and, one by one, its links
 * are). A 0600 file in the state directory, written atomically before the join is attempted so
 * that a retried join carries the same commitment.
 */
final class RejoinSeed {
    static final String FILE = "rejoin.seed";

    private RejoinSeed() {}

    static byte[] loadOrCreate(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            byte[] seed = Files.readAllBytes(file);
            if (seed.length != 32) {
                throw new IOException(file + " is not a 32-byte seed");
            }
            return seed;
        }
        byte[] seed = RejoinChain.newSeed(new SecureRandom());
        Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(seed));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(stateDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
        return seed;
    }
}
