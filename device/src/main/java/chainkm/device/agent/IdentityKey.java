package chainkm.device.agent;

import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The device's identity: an Ed25519 key pair it generates itself at first boot, of which the
 * consortium only ever learns the public half (ACTIVATE). File {@code <state>/identity.key}, the
 * 32-byte private key, mode 0600 in a 0700 directory, written atomically and synced before the
 * key is used anywhere, so that a retried activation after a crash presents the same key.
 */
final class IdentityKey {
    static final String FILE = "identity.key";

    private IdentityKey() {}

    static boolean exists(Path stateDir) {
        return Files.exists(stateDir.resolve(FILE));
    }

    static Ed25519.KeyPair loadOrCreate(Path stateDir) throws IOException {
        SecretFiles.privateDirectory(stateDir);
        Path file = stateDir.resolve(FILE);
        if (Files.exists(file)) {
            byte[] seed = Files.readAllBytes(file);
            try {
                if (seed.length != Ed25519.PRIVATE_KEY_SIZE) {
                    throw new IOException(file + " is not a 32-byte Ed25519 private key (" + seed.length + " bytes)");
                }
                return Ed25519.KeyPair.fromPrivateKey(seed);
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        }
        Ed25519.KeyPair created = Ed25519.KeyPair.generate(new SecureRandom());
        byte[] seed = created.privateKeyBytes();
        try {
            SecretFiles.writeAtomically(file, seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
        return created;
    }
}
