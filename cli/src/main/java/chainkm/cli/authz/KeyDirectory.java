package chainkm.cli.authz;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * The key pair of a resource owner or a client (an Ed25519 key pair, not a ledger identity) in a
 * directory of its own, mode 0700:
 * <pre>
 *   client.key   base64 of the 32-byte private key and a line end, mode 0600 (the gateway key's format)
 *   client.pub   the public key in hex and a line end (public: hand it to owners for their allow-lists)
 * </pre>
 * The same files serve an owner and a client: the role is what the key signs.
 */
public final class KeyDirectory {
    public static final String PRIVATE_KEY = "client.key";
    public static final String PUBLIC_KEY = "client.pub";
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PUBLIC_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private KeyDirectory() {}

    /**
     * Draws a key pair into {@code dir} (created, or restricted, to 0700). An existing
     * {@code client.key} is kept, with an IOException, unless {@code force}: its tokens and
     * policies would be lost with it.
     */
    public static Ed25519.KeyPair generate(Path dir, boolean force) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        Files.setPosixFilePermissions(dir, DIR_MODE);
        Path key = dir.resolve(PRIVATE_KEY);
        if (!force && Files.exists(key)) {
            throw new IOException(key + " exists: it may hold policies or tokens; pass --force to replace it, "
                    + "or choose another --out");
        }
        Ed25519.KeyPair pair = Ed25519.KeyPair.generate(new SecureRandom());
        byte[] seed = pair.privateKeyBytes();
        try {
            writeAtomically(dir, key, (Base64.getEncoder().encodeToString(seed) + "\n").getBytes(StandardCharsets.US_ASCII),
                    GatewayHome.SECRET_MODE, force);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
        writeAtomically(dir, dir.resolve(PUBLIC_KEY), (Hex.encode(pair.publicKey()) + "\n")
                .getBytes(StandardCharsets.US_ASCII), PUBLIC_MODE, true);
        return pair;
    }

    /** The key pair in {@code dir}; refused when {@code client.key} is readable by others. */
    public static Ed25519.KeyPair load(Path dir) throws IOException {
        Path key = Files.isDirectory(dir) ? dir.resolve(PRIVATE_KEY) : dir;
        if (!Files.exists(key)) {
            throw new IOException("no key " + key + ": make one with bin/chainkm client keygen --out " + dir);
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
        if (!GatewayHome.isOwnerOnly(perms)) {
            throw new IOException("key " + key + " is readable by others (" + PosixFilePermissions.toString(perms)
                    + "): chmod 600 it");
        }
        byte[] seed = null;
        try {
            seed = Base64.getDecoder().decode(Files.readString(key, StandardCharsets.US_ASCII).trim());
            if (seed.length != Ed25519.PRIVATE_KEY_SIZE) {
                throw new IllegalArgumentException("wrong length");
            }
            return Ed25519.KeyPair.fromPrivateKey(seed);
        } catch (IllegalArgumentException e) {
            throw new IOException("key " + key + " is not a base64 Ed25519 private key (32 bytes)");
        } finally {
            if (seed != null) {
                Arrays.fill(seed, (byte) 0);
            }
        }
    }

    /**
     * A public key given as 64 hex digits, or as a key directory (its {@code client.pub}, else
     * the public half of its {@code client.key}), or as a file holding the hex.
     */
    public static byte[] publicKey(String hexOrPath) throws IOException {
        String s = hexOrPath.trim();
        if (s.matches("(0x)?[0-9a-fA-F]{64}")) {
            return Hex.decode(s);
        }
        Path p = Path.of(s);
        if (Files.isDirectory(p)) {
            Path pub = p.resolve(PUBLIC_KEY);
            if (Files.exists(pub)) {
                return hexFile(pub);
            }
            if (Files.exists(p.resolve(PRIVATE_KEY))) {
                return load(p).publicKey();
            }
            throw new IOException(p + " holds neither " + PUBLIC_KEY + " nor " + PRIVATE_KEY);
        }
        if (Files.isRegularFile(p)) {
            return hexFile(p);
        }
        throw new IOException("'" + s + "' is neither a public key (64 hex digits) nor a key directory or file");
    }

    private static byte[] hexFile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!text.matches("[0-9a-fA-F]{64}")) {
            throw new IOException(file + " does not hold a public key (64 hex digits)");
        }
        return Hex.decode(text);
    }

    /** A new file written and synced beside {@code target}, then renamed over it (or, without {@code replace}, only if absent). */
    private static void writeAtomically(Path dir, Path target, byte[] content, Set<PosixFilePermission> mode,
                                        boolean replace) throws IOException {
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(GatewayHome.SECRET_MODE));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(content));
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, mode);
            if (replace) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                try {
                    Files.move(tmp, target); // refuses if a key appeared meanwhile
                } catch (FileAlreadyExistsException e) {
                    throw new IOException(target + " exists: pass --force to replace it");
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
