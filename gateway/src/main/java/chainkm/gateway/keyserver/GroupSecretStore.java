package chainkm.gateway.keyserver;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master secrets of the groups whose device has this gateway as home: 32 random bytes per
 * group, made on first use, one file each, {@code <home>/groups/<hex of SHA-256(group name)>.key}
 * (a fixed-size name whatever characters the path holds; the directory is 0700, each file 0600
 * from its creation). A secret is written to a temporary file, fsynced, renamed into place and the
 * directory fsynced before anyone gets it, so a crash at any instant leaves either no secret
 * (a temporary file, deleted at the next start) or the complete one: a personal secret handed
 * out is never lost or changed by a restart. A file readable by others is refused, not used.
 */
public final class GroupSecretStore {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSecretStore.class);
    public static final int SECRET_SIZE = 32;
    static final String SUFFIX = ".key";
    static final String TEMP_SUFFIX = ".tmp";

    private final Path dir;
    private final SecureRandom random;
    /** Runs between the fsync of a new secret and its rename: a test's crash point. */
    private final Runnable beforeRename;

    public GroupSecretStore(Path dir) throws IOException {
        this(dir, new SecureRandom(), () -> { });
    }

    GroupSecretStore(Path dir, SecureRandom random, Runnable beforeRename) throws IOException {
        this.dir = dir;
        this.random = random;
        this.beforeRename = beforeRename;
        if (Files.isDirectory(dir)) {
            removeUnfinished();
        }
    }

    /** The master secret of {@code group} (a copy: the caller clears it), made and persisted on first use. */
    public synchronized byte[] masterSecret(String group) throws IOException {
        createDirectory();
        Path file = fileOf(group);
        if (Files.exists(file)) {
            return read(file);
        }
        byte[] secret = new byte[SECRET_SIZE];
        random.nextBytes(secret);
        write(file, secret);
        LOG.info("key server: made the master secret of group {} ({})", group, file.getFileName());
        return secret;
    }

    /** Where the secret of {@code group} lives. */
    Path fileOf(String group) {
        return dir.resolve(Hex.encode(Sha256.hash(group.getBytes(StandardCharsets.UTF_8))) + SUFFIX);
    }

    private void createDirectory() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(GatewayHome.DIR_MODE));
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (!GatewayHome.DIR_MODE.equals(mode)) {
            // createDirectories applies the umask; and a directory opened up since is closed again
            Files.setPosixFilePermissions(dir, GatewayHome.DIR_MODE);
            LOG.warn("group secrets directory {} was {}: made it 0700", dir, PosixFilePermissions.toString(mode));
        }
    }

    private static byte[] read(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (!GatewayHome.isOwnerOnly(mode)) {
            throw new IOException("group secret " + file + " is readable by others (" + PosixFilePermissions.toString(mode)
                    + "): refused; chmod 600 it if it was never exposed, else remove it (its members must ask again)");
        }
        byte[] secret = Files.readAllBytes(file);
        if (secret.length != SECRET_SIZE) {
            throw new IOException("group secret " + file + " has " + secret.length + " bytes, not " + SECRET_SIZE);
        }
        return secret;
    }

    private void write(Path file, byte[] secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(GatewayHome.SECRET_MODE))) {
            ByteBuffer b = ByteBuffer.wrap(secret);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        beforeRename.run();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Temporary files a crash left before their rename: their secret was never handed out. */
    private void removeUnfinished() throws IOException {
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
            for (Path tmp : tmps) {
                Files.deleteIfExists(tmp);
                LOG.info("key server: removed {}, a group secret a crash left unfinished", tmp.getFileName());
            }
        }
    }
}
