package chainkm.device.agent;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the key of the device's key store (and attachment file) comes from. The device module
 * knows only this interface and the plain key file ({@link #plainFile()}); a board that can seal
 * the key (the Raspberry Pi's OTP key, in the hardware module) brings its own, chosen by the
 * program that starts the agent.
 */
public interface StoreKeySource {
    /**
     * The 16-byte key for the state directory {@code stateDir}, made now if the device has none;
     * the caller wipes the returned array after use. Fails rather than make a new key when a
     * key store exists that the new key could not open.
     */
    byte[] loadOrCreate(Path stateDir) throws IOException;

    /** A key file 0600 in its own 0700 directory, with a warning at start: for boards without sealing. */
    static StoreKeySource plainFile() {
        return StoreKey.PLAIN_FILE;
    }
}
