package chainkm.device.mqtt;

import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away Mosquitto for the device's tests: loopback only, TLS only (a P-256 key and
 * self-signed certificate made by {@code openssl}, kept across restarts in the same parent
 * directory), open to any user name (the gateway module tests the authenticated
 * configuration; this one tests the client). The device module cannot see the gateway's
 * MosquittoConfig, hence this small copy.
 */
final class TestMosquitto implements AutoCloseable {

    private final Process process;
    private final int port;

    private TestMosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Path binary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin"));
        for (String d : dirs) {
            Path p = Paths.get(d.isEmpty() ? "." : d, "mosquitto");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("the mosquitto broker is not installed: install the Debian package "
                + "'mosquitto' (apt-get install -y mosquitto)");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The broker's key and certificate, beside {@code dir} (made once, shared by restarts). */
    static Path[] keyAndCertificate(Path dir) throws IOException, InterruptedException {
        Path key = dir.getParent().resolve("broker.key");
        Path certificate = dir.getParent().resolve("broker.crt");
        if (!Files.exists(certificate)) {
            Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", certificate.toString(),
                    "-days", "3650", "-subj", "/CN=test broker").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("openssl failed: " + out);
            }
        }
        return new Path[] {key, certificate};
    }

    /** The pin of the broker's key, as a bundle would carry it. */
    static TlsPin pin(Path dir) throws Exception {
        try (var in = Files.newInputStream(keyAndCertificate(dir)[1])) {
            return TlsPin.ofKey(java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in)
                    .getPublicKey());
        }
    }

    /** Starts Mosquitto on 127.0.0.1:port (TLS, no persistence), configured in dir. */
    static TestMosquitto start(Path dir, int port) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path[] tls = keyAndCertificate(dir);
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\n"
                + "certfile " + tls[1].toAbsolutePath() + "\n"
                + "keyfile " + tls[0].toAbsolutePath() + "\n"
                + "allow_anonymous true\n"
                + "persistence false\n"
                + "log_dest file " + dir.toAbsolutePath().resolve("mosquitto.log") + "\n"
                + "user " + System.getProperty("user.name") + "\n");
        Process p = new ProcessBuilder(binary().toString(), "-c", conf.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                .start();
        TestMosquitto m = new TestMosquitto(p, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return m;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    m.close();
                    throw new IOException("mosquitto not listening on port " + port);
                }
            }
            Thread.sleep(50);
        }
    }

    int port() {
        return port;
    }

    String url() {
        return "ssl://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
