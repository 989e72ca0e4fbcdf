package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.abci.AbciFrames;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestEcho;
import tendermint.abci.Types.RequestFlush;

/**
 * Issue 11, the ABCI connection: on a live gateway only its own CometBFT reaches the ledger
 * application. The socket is {@code <home>/abci.sock}, 0600 in the 0700 home, named by CometBFT's
 * proxy_app; another local user ({@code nobody}) cannot open it; no TCP port of the gateway's JVM
 * answers ABCI any more (before, one FinalizeBlock and Commit from any local process on the ABCI
 * port wedged the validator for good). A kill -9 leaves a stale socket that does not stop the
 * gateway from coming back.
 */
class AbciSocketIT extends TestnetIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void onlyTheGatewaysOwnCometbftReachesItsLedgerApplication() throws Exception {
        net = RunningTestnet.start(dir, 1);
        Path home = dir.resolve(net.net.layout().gateway(1).home());
        Path socket = home.resolve("abci.sock");
        assertEquals("rw-------", mode(socket));
        assertEquals("rwx------", mode(home));
        assertTrue(Files.readString(home.resolve("cometbft/config/config.toml"))
                .contains("proxy_app = \"unix://" + socket.toAbsolutePath() + "\""));

        // the same user (the gateway's CometBFT runs as it) talks ABCI on the socket: the probe works
        assertTrue(answersAbci(SocketChannel.open(UnixDomainSocketAddress.of(socket))), "the socket answers ABCI");
        // another local user cannot even open it
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            String nobody = connectAsNobody(socket);
            assertTrue(nobody.contains("refused") && nobody.contains("Permission denied"), nobody);
        }
        // and no TCP port of the gateway's JVM speaks ABCI
        long pid = net.net.process(1).orElseThrow().pid();
        Set<Integer> ports = tcpListeners(pid);
        assertTrue(ports.contains(net.net.layout().gateway(1).controlPort()), "the listeners were found: " + ports);
        for (int port : ports) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                assertFalse(answersAbci(s), "port " + port + " of the gateway answers ABCI");
            }
        }

        // kill -9: the socket file stays behind; the gateway comes back all the same
        net.net.kill(1);
        assertTrue(Files.exists(socket), "a kill -9 leaves the socket file");
        net.net.startGateway(1);
        net.net.awaitReady(WAIT);
        JsonNode join = net.submit(1, "join", "commit", null, false);
        assertEquals("committed", join.path("status").asText(), join.toString());
        assertEquals("rw-------", mode(socket));
    }

    /** Sends an ABCI Echo and Flush; true if an ABCI answer comes back within five seconds. */
    private static boolean answersAbci(SocketChannel channel) throws Exception {
        try (channel) {
            return exchange(Channels.newOutputStream(channel), Channels.newInputStream(channel), channel);
        }
    }

    private static boolean answersAbci(Socket socket) throws Exception {
        return exchange(socket.getOutputStream(), socket.getInputStream(), socket);
    }

    private static boolean exchange(OutputStream out, InputStream in, Closeable connection) throws Exception {
        CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(() -> {
            try {
                AbciFrames.write(Request.newBuilder().setEcho(RequestEcho.newBuilder().setMessage("probe")).build(), out);
                AbciFrames.write(Request.newBuilder().setFlush(RequestFlush.getDefaultInstance()).build(), out);
                out.flush();
                return "probe".equals(AbciFrames.readResponse(in, 1 << 20).getEcho().getMessage());
            } catch (IOException | RuntimeException e) {
                return false; // closed, or not an ABCI answer
            }
        });
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException silent) {
            connection.close();
            return false;
        }
    }

    /** The TCP ports process {@code pid} listens on, from /proc. */
    private static Set<Integer> tcpListeners(long pid) throws IOException {
        Set<String> inodes = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        Set<Integer> ports = new TreeSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
                    String local = f[1];
                    ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** A connect attempt run as {@code nobody}, another user of the gateway's machine. */
    private static String connectAsNobody(Path socket) throws Exception {
        Path dir = Files.createTempDirectory("abci-client");
        Path source = dir.resolve("Connect.java");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(source, """
                    import java.net.UnixDomainSocketAddress;
                    import java.nio.channels.SocketChannel;
                    public class Connect {
                        public static void main(String[] args) {
                            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
                                System.out.println("connected");
                            } catch (Exception e) {
                                System.out.println("refused: " + e);
                            }
                        }
                    }
                    """, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder("/usr/sbin/runuser", "-u", "nobody", "--", java, source.toString(),
                    socket.toString()).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the connect attempt did not finish");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(dir);
        }
    }
}
