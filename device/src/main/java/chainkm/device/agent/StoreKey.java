package chainkm.device.agent;

import chainkm.protocol.keys.AesCcm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key the device's key store and attachment file are encrypted under: 16 random bytes made
 * at first boot, in {@code <state>/keystore-key/store.key} (file 0600, directory 0700), written
 * atomically. It used to be derived from the bootstrap PSK, which every gateway could compute.
 * A plain file beside the store protects against a copied store file only: this is the
 * {@link StoreKeySource} of boards that offer no sealing (and of the mock board), and says so at
 * start. On a Raspberry Pi 4 or 5 the hardware module seals the key with the board's OTP key.
 */
final class StoreKey {
    /** The plain key file, as a {@link StoreKeySource}. */
    static final StoreKeySource PLAIN_FILE = new StoreKeySource() {
        @Override
        public byte[] loadOrCreate(Path stateDir) throws IOException {
            return StoreKey.loadOrCreate(stateDir);
        }

        @Override
        public String toString() {
            return "plain key file " + FILE;
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(StoreKey.class);
    static final String DIR = "keystore-key";
    static final String FILE = DIR + "/store.key";

    private StoreKey() {}

    /** The key, made now if the device has none; the caller wipes the returned array after use. */
    static byte[] loadOrCreate(Path stateDir) throws IOException {
        SecretFiles.privateDirectory(stateDir.resolve(DIR));
        Path file = stateDir.resolve(FILE);
        LOG.warn("key store key is a plain file ({}, 0600): this board offers no sealing, so whoever can read the state "
                + "directory can open the key store (on a Raspberry Pi 4 or 5 it is sealed with the board's OTP key)", file);
        if (Files.exists(file)) {
            byte[] key = Files.readAllBytes(file);
            if (key.length != AesCcm.KEY_SIZE) {
                throw new IOException(file + " is not a " + AesCcm.KEY_SIZE + "-byte key (" + key.length + " bytes)");
            }
            return key;
        }
        if (Files.exists(stateDir.resolve("keys.store"))) {
            // a store written under a key that is gone cannot be opened: say so rather than make a new key
            throw new IOException(file + " is missing but " + stateDir.resolve("keys.store") + " exists: the key store "
                    + "cannot be opened without it (restore the key, or wipe " + stateDir + " and provision the device again)");
        }
        byte[] key = new byte[AesCcm.KEY_SIZE];
        new SecureRandom().nextBytes(key);
        SecretFiles.writeAtomically(file, key);
        return key;
    }
}
