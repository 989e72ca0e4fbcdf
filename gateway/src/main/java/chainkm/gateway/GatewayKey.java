package chainkm.gateway;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/** The gateway's Ed25519 signing key on disk: base64 of the 32-byte private key, mode 0600. */
public final class GatewayKey {
    private GatewayKey() {}

    public static Ed25519.KeyPair generate(Path file) throws IOException {
        Ed25519.KeyPair key = Ed25519.KeyPair.generate(new SecureRandom());
        // created 0600 from the start: the key is never readable by others, not even briefly
        GatewayHome.writeSecret(file, Base64.getEncoder().encodeToString(key.privateKeyBytes()));
        return key;
    }

    public static Ed25519.KeyPair load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("signing key " + file + " not found");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!GatewayHome.isOwnerOnly(perms)) {
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
