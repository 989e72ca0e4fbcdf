package chainkm.gateway;

import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/** The gateway's Ed25519 signing key on disk: base64 of the 32-byte private key, mode 0600. */
public final class GatewayKey {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private GatewayKey() {}

    public static Ed25519.KeyPair generate(Path file) throws IOException {
        Ed25519.KeyPair key = Ed25519.KeyPair.generate(new SecureRandom());
        Files.deleteIfExists(file);
        // created 0600 from the start: the key is never readable by others, not even briefly
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(file, Base64.getEncoder().encodeToString(key.privateKeyBytes()) + "\n",
                StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        return key;
    }

    public static Ed25519.KeyPair load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("signing key " + file + " not found");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(perms)) {
            throw new IOException("signing key " + file + " is readable by others ("
                    + PosixFilePermissions.toString(perms) + "): chmod 600 it");
        }
        try {
            return Ed25519.KeyPair.fromPrivateKey(Base64.getDecoder().decode(Files.readString(file).trim()));
        } catch (IllegalArgumentException e) {
            throw new IOException("signing key " + file + " is not a base64 Ed25519 private key");
        }
    }
}
