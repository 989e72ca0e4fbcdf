package chainkm.gateway.keyserver;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.groupkey.GroupKeyFormatException;
import chainkm.protocol.groupkey.GroupManager;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each group manager's whole state ({@link GroupManager#encode()}: the master secret, session
 * counter, epochs, members), one file per group beside the master secret:
 * {@code <home>/groups/<hex of SHA-256(group name)>.state}, 0600 in a 0700 directory. A save is
 * a temporary file, fsynced, renamed into place, then the directory fsynced; the group sessions
 * save before they publish a session's broadcast or hand out a new member's secret, so a crash at
 * any instant never makes a restarted gateway issue a session number (or an epoch seed) again.
 * A temporary file a crash left is ignored and deleted at the next load.
 */
public final class GroupStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(GroupStateStore.class);
    static final String SUFFIX = ".state";
    static final String TEMP = ".state-tmp";

    private final Path dir;
    /** Runs between the fsync of a new state and its rename: a test's crash point. */
    private final Runnable beforeRename;

    public GroupStateStore(Path dir) {
        this(dir, () -> { });
    }

    GroupStateStore(Path dir, Runnable beforeRename) {
        this.dir = dir;
        this.beforeRename = beforeRename;
    }

    Path fileOf(String group) {
        return dir.resolve(Hex.encode(Sha256.hash(group.getBytes(StandardCharsets.US_ASCII))) + SUFFIX);
    }

    /** Writes the state of {@code manager} atomically and durably. */
    public synchronized void save(GroupManager manager) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(GatewayHome.DIR_MODE));
        }
        Path file = fileOf(manager.group());
        Path tmp = file.resolveSibling(file.getFileName().toString().replace(SUFFIX, TEMP));
        Files.deleteIfExists(tmp);
        byte[] state = manager.encode();
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(GatewayHome.SECRET_MODE))) {
            ByteBuffer b = ByteBuffer.wrap(state);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } finally {
            java.util.Arrays.fill(state, (byte) 0);
        }
        beforeRename.run();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Every saved group. A file readable by others, or one that does not decode, is refused
     * with a log line and left in place for the operator (its group then takes no new sessions
     * here until it is fixed: a restart from nothing would reuse session numbers).
     */
    public synchronized List<GroupManager> loadAll() throws IOException {
        List<GroupManager> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "*" + TEMP)) {
            for (Path tmp : tmps) {
                Files.deleteIfExists(tmp);
                LOG.info("group sessions: removed {}, a state a crash left unfinished", tmp.getFileName());
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (!GatewayHome.isOwnerOnly(mode)) {
                    LOG.error("group sessions: {} is readable by others ({}): refused", file.getFileName(),
                            PosixFilePermissions.toString(mode));
                    continue;
                }
                byte[] bytes = Files.readAllBytes(file);
                try {
                    GroupManager m = GroupManager.decode(bytes);
                    if (!fileOf(m.group()).getFileName().equals(file.getFileName())) {
                        LOG.error("group sessions: {} holds group {}, whose file is another: refused", file.getFileName(),
                                m.group());
                        continue;
                    }
                    out.add(m);
                } catch (GroupKeyFormatException e) {
                    LOG.error("group sessions: {} is not a group state ({}): refused", file.getFileName(), e.getMessage());
                } finally {
                    java.util.Arrays.fill(bytes, (byte) 0);
                }
            }
        }
        return out;
    }

    /** True when a state file exists for {@code group} (loaded or refused). */
    public boolean exists(String group) {
        return Files.exists(fileOf(group));
    }
}
