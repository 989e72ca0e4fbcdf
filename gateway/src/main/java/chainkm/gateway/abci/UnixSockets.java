package chainkm.gateway.abci;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * What a unix socket file needs before it is bound: a path the kernel accepts, a directory
 * no one else may enter, and no stale file from a run that was killed.
 */
final class UnixSockets {
    /** sun_path holds 108 bytes on Linux, the terminating NUL included. */
    static final int MAX_PATH_BYTES = 107;
    static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-------");

    private UnixSockets() {}

    static UnixDomainSocketAddress address(Path file) throws IOException {
        int length = file.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new IOException("the ABCI socket path " + file + " is " + length + " bytes long, more than the "
                    + MAX_PATH_BYTES + " a unix socket allows: use a gateway home with a shorter path");
        }
        return UnixDomainSocketAddress.of(file);
    }

    /** Fails unless {@code dir} is accessible to its owner only (0700 or stricter). */
    static void requireOwnerOnlyDirectory(Path dir) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        for (PosixFilePermission p : mode) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new IOException("refusing to put the ABCI socket in " + dir + ": it is "
                        + PosixFilePermissions.toString(mode) + ", other users could reach the socket (make it 0700)");
            }
        }
    }

    /**
     * Deletes a socket file nobody answers on (left by a process that was killed). Fails when a
     * running process still answers on it, or when the path is not a socket.
     */
    static void removeStale(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(file)) {
            throw new IOException(file + " exists and is not a socket: not replacing it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(address(file));
            throw new IOException("another process serves ABCI on " + file + ": is this gateway running already?");
        } catch (SocketException refused) {
            Files.delete(file); // connection refused: the process that bound it is gone
        }
    }
}
