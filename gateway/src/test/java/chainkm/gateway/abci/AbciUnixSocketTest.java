package chainkm.gateway.abci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the ABCI application is for the gateway's own CometBFT only. Its unix socket is
 * 0600 in a directory only its owner may enter; another local user cannot open it; a socket
 * left by a kill -9 does not block a restart, and a second server on a live socket is refused.
 */
class AbciUnixSocketTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void theSocketIsOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
        assertEquals("rwx------", mode(dir));
        Path socket = dir.resolve("abci.sock");
        try (AbciServer server = AbciServer.startUnix(new HashChainApp(), socket)) {
            assertEquals("rw-------", mode(socket));
            assertEquals("unix://" + socket.toAbsolutePath(), server.proxyAppAddress());
        }
        assertFalse(Files.exists(socket), "removed on close");

        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException e = assertThrows(IOException.class, () -> AbciServer.startUnix(new HashChainApp(), open.resolve("abci.sock")));
        assertTrue(e.getMessage().contains("other users could reach the socket"), e.getMessage());
        assertFalse(Files.exists(open.resolve("abci.sock")));
    }

    @Test
    void anotherLocalUserCannotConnect() throws Exception {
        assumeTrue(OtherUser.available(), "needs root and runuser to act as another user");
        Path socket = dir.resolve("abci.sock");
        try (AbciServer server = AbciServer.startUnix(new HashChainApp(), socket)) {
            String owner = OtherUser.connect(socket, false);
            assertTrue(owner.endsWith("connected"), "the owner (the gateway's CometBFT) connects: " + owner);
            String nobody = OtherUser.connect(socket, true);
            assertTrue(nobody.contains("refused") && nobody.contains("Permission denied"), nobody);

            // the socket's own mode holds even where the directory lets others through
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            nobody = OtherUser.connect(socket, true);
            assertTrue(nobody.contains("Permission denied"), "0600 alone keeps others out: " + nobody);
            // and the check can fail: a socket others may write to lets them in
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertTrue(OtherUser.connect(socket, true).endsWith("connected"), "the control case");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aStaleSocketFromAKilledRunDoesNotBlockARestart() throws IOException {
        Path socket = dir.resolve("abci.sock");
        // what a kill -9 leaves: a socket file nobody listens on any more
        try (ServerSocketChannel killed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            killed.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (AbciServer server = AbciServer.startUnix(new HashChainApp(), socket);
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertTrue(client.isConnected());
            assertEquals("rw-------", mode(socket));
            // while it runs, a second gateway on the same home does not steal its socket
            IOException e = assertThrows(IOException.class, () -> AbciServer.startUnix(new HashChainApp(), socket));
            assertTrue(e.getMessage().contains("another process serves ABCI"), e.getMessage());
            assertTrue(Files.exists(socket));
        }
    }

    @Test
    void aFileThatIsNotASocketOrAPathTooLongIsRefusedClearly() throws IOException {
        Path file = Files.writeString(dir.resolve("abci.sock"), "not a socket");
        IOException e = assertThrows(IOException.class, () -> AbciServer.startUnix(new HashChainApp(), file));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("not a socket", Files.readString(file));

        Path deep = Files.createDirectories(dir.resolve("d".repeat(100)));
        Files.setPosixFilePermissions(deep, PosixFilePermissions.fromString("rwx------"));
        IOException tooLong = assertThrows(IOException.class, () -> AbciServer.startUnix(new HashChainApp(),
                deep.resolve("abci.sock")));
        assertTrue(tooLong.getMessage().contains("shorter path"), tooLong.getMessage());
    }
}
