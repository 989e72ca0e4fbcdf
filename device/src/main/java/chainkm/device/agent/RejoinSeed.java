package chainkm.device.agent;

import chainkm.protocol.ledger.RejoinChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * The seed of the device's rejoin hash chain ({@link RejoinChain}): made on the device before
 * its first join and never sent anywhere (only the chain's anchor and, one by one, its links
 * are). A 0600 file in the state directory, written atomically before the join is attempted so
 * that a retried join carries the same commitment.
 *
 * <p>A re-anchor makes the next chain's seed first ({@code rejoin.seed.next}, also before its
 * anchor leaves the device), and {@link #promoteNext} makes it the current one once a gateway
 * took the re-anchor.
 */
final class RejoinSeed {
    static final String FILE = "rejoin.seed";
    static final String NEXT_FILE = "rejoin.seed.next";

    private RejoinSeed() {}

    static byte[] loadOrCreate(Path stateDir) throws IOException {
        return loadOrCreateFile(stateDir.resolve(FILE));
    }

    /** The seed of the chain a re-anchor moves to, made now if there is none pending. */
    static byte[] loadOrCreateNext(Path stateDir) throws IOException {
        return loadOrCreateFile(stateDir.resolve(NEXT_FILE));
    }

    /** The re-anchor was taken: the next chain is the current one from now on. */
    static void promoteNext(Path stateDir) throws IOException {
        Files.move(stateDir.resolve(NEXT_FILE), stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        SecretFiles.fsyncDirectory(stateDir);
    }

    private static byte[] loadOrCreateFile(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] seed = Files.readAllBytes(file);
            if (seed.length != 32) {
                throw new IOException(file + " is not a 32-byte seed");
            }
            return seed;
        }
        byte[] seed = RejoinChain.newSeed(new SecureRandom());
        SecretFiles.writeAtomically(file, seed);
        return seed;
    }
}
