package chainkm.hardware;

import chainkm.device.agent.SecretFiles;
import chainkm.device.agent.StoreKeySource;
import chainkm.protocol.keys.Kdf;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key store's key on a Raspberry Pi 4 or 5, sealed with the board's device-unique OTP
 * private key (256 bits in the SoC's one-time-programmable memory, printed as hex by Raspberry
 * Pi OS's {@code rpi-otp-private-key}): HKDF-SHA256(OTP key, salt, "chainkm/v1/store-key"), with
 * a random 32-byte salt in {@code <state>/keystore-key/otp.salt} (0600, directory 0700). The salt
 * alone is useless, so a copy of the SD card opens nothing without the board; no gateway ever
 * sees the OTP key. The key is derived at every start and never written.
 */
final class OtpStoreKey implements StoreKeySource {
    private static final Logger LOG = LoggerFactory.getLogger(OtpStoreKey.class);
    static final String COMMAND = "rpi-otp-private-key";
    static final String SALT_FILE = "keystore-key/otp.salt";
    static final String PLAIN_KEY_FILE = "keystore-key/store.key";
    private static final String INFO = "chainkm/v1/store-key";
    private static final int OTP_KEY_SIZE = 32;

    private final Path executable;

    private OtpStoreKey(Path executable) {
        this.executable = executable;
    }

    /** True for the boards whose firmware has an OTP private key: Raspberry Pi 4, 400, CM4, 5, CM5. */
    static boolean supports(String model) {
        return model.startsWith("Raspberry Pi 4") || model.startsWith("Raspberry Pi 5")
                || model.startsWith("Raspberry Pi Compute Module 4") || model.startsWith("Raspberry Pi Compute Module 5");
    }

    /** The OTP source if {@value #COMMAND} is on {@code searchPath} (a PATH value), else empty. */
    static Optional<OtpStoreKey> find(String searchPath) {
        if (searchPath == null) {
            return Optional.empty();
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, COMMAND);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(new OtpStoreKey(candidate));
            }
        }
        return Optional.empty();
    }

    @Override
    public byte[] loadOrCreate(Path stateDir) throws IOException {
        Path dir = SecretFiles.privateDirectory(stateDir.resolve("keystore-key"));
        if (Files.exists(stateDir.resolve(PLAIN_KEY_FILE))) {
            // a store made before sealing: its key is that file; re-provision the device to seal it
            LOG.warn("key store key is still a plain file ({}) on a board with an OTP key: wipe the state and "
                    + "provision the device again to seal it", stateDir.resolve(PLAIN_KEY_FILE));
            return StoreKeySource.plainFile().loadOrCreate(stateDir);
        }
        Path saltFile = dir.resolve("otp.salt");
        byte[] salt;
        if (Files.exists(saltFile)) {
            salt = Files.readAllBytes(saltFile);
            if (salt.length != 32) {
                throw new IOException(saltFile + " is not a 32-byte salt (" + salt.length + " bytes)");
            }
        } else {
            if (Files.exists(stateDir.resolve("keys.store"))) {
                throw new IOException(saltFile + " is missing but " + stateDir.resolve("keys.store") + " exists: the key "
                        + "store cannot be opened without it (wipe " + stateDir + " and provision the device again)");
            }
            salt = new byte[32];
            new SecureRandom().nextBytes(salt);
            SecretFiles.writeAtomically(saltFile, salt);
        }
        byte[] otp = readOtpKey();
        try {
            LOG.info("key store key sealed with this board's OTP private key (salt in {})", saltFile);
            return Kdf.derive(otp, salt, INFO, 16);
        } finally {
            Arrays.fill(otp, (byte) 0);
        }
    }

    /** Runs {@value #COMMAND} and parses its output: 64 hex digits, not all zero (a key never programmed). */
    private byte[] readOtpKey() throws IOException {
        Process p = new ProcessBuilder(executable.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = readBounded(in, 1024);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(executable + " did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the OTP key");
        }
        String hex = new String(out, StandardCharsets.US_ASCII).trim();
        Arrays.fill(out, (byte) 0);
        if (p.exitValue() != 0) {
            throw new IOException(executable + " failed (exit " + p.exitValue() + "): the OTP private key is not readable");
        }
        if (!hex.matches("[0-9a-fA-F]{" + 2 * OTP_KEY_SIZE + "}")) {
            // never echo the output: it may be key material
            throw new IOException(executable + " printed no 256-bit hex key (" + hex.length() + " characters)");
        }
        byte[] key = java.util.HexFormat.of().parseHex(hex);
        boolean blank = true;
        for (byte b : key) {
            blank &= b == 0;
        }
        if (blank) {
            throw new IOException("this board's OTP private key is not programmed (all zero): program it once "
                    + "(see rpi-otp-private-key -h) and start again");
        }
        return key;
    }

    private static byte[] readBounded(InputStream in, int max) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[256];
        int n;
        while ((n = in.read(chunk)) > 0) {
            if (buf.size() + n > max) {
                throw new IOException(COMMAND + " printed more than " + max + " bytes");
            }
            buf.write(chunk, 0, n);
        }
        return buf.toByteArray();
    }

    @Override
    public String toString() {
        return "OTP-sealed key (" + executable + ")";
    }
}
