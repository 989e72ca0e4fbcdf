package chainkm.gateway.abci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local process that tries to open a unix socket, run as the current user or, when the tests
 * run as root, as {@code nobody} (through runuser): another user of the gateway's machine.
 */
final class OtherUser {
    private static final String PROGRAM = """
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
            """;

    private OtherUser() {}

    /** True when this JVM may start processes as another user (root, with runuser installed). */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser"));
    }

    /** What the connect attempt printed: "connected" or "refused: ...". */
    static String connect(Path socket, boolean asNobody) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("abci-client");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path source = dir.resolve("Connect.java");
            Files.writeString(source, PROGRAM, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>();
            if (asNobody) {
                command.addAll(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
            }
            command.addAll(List.of(java, "-Xshare:off", source.toString(), socket.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the connect attempt did not finish");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } finally {
            Files.deleteIfExists(dir.resolve("Connect.java"));
            Files.deleteIfExists(dir);
        }
    }
}
