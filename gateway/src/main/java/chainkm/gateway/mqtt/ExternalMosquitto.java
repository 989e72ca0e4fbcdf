package chainkm.gateway.mqtt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code mosquitto -c <conf>} child process, configured by {@link MosquittoConfig}.
 *
 * <p>The binary is {@code -Dchainkm.mosquitto=<path>} if set, else {@code mosquitto} on the
 * PATH or in {@code /usr/sbin} (where the Debian package puts it, often not on a user's
 * PATH). Its stdout and stderr go to {@code mosquitto.out} beside the configuration;
 * the broker's own log is {@link MosquittoConfig#logFile()}.
 */
public final class ExternalMosquitto implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalMosquitto.class);

    /** System property naming the mosquitto executable. */
    public static final String BINARY_PROPERTY = "chainkm.mosquitto";
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Process process;
    private final MosquittoConfig config;

    private ExternalMosquitto(Process process, MosquittoConfig config) {
        this.process = process;
        this.config = config;
    }

    /** The mosquitto executable, if there is one. */
    public static Optional<Path> findBinary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path p = Paths.get(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Paths.get(d, "mosquitto");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Starts Mosquitto found by {@link #findBinary()}. */
    public static ExternalMosquitto start(MosquittoConfig config) throws IOException {
        Path binary = findBinary().orElseThrow(() -> new IOException(
                "mosquitto not found (install the Debian package 'mosquitto', or set -D" + BINARY_PROPERTY + ")"));
        return start(binary, config);
    }

    /** Starts {@code binary -c <conf>} and returns once it accepts TCP connections. */
    public static ExternalMosquitto start(Path binary, MosquittoConfig config) throws IOException {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(config, "config");
        Path out = config.dir().resolve("mosquitto.out");
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-c", config.confFile().toString())
                .directory(config.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        Process process = pb.start();
        ExternalMosquitto mosquitto = new ExternalMosquitto(process, config);
        try {
            mosquitto.awaitListening();
        } catch (IOException | RuntimeException e) {
            mosquitto.close();
            throw e;
        }
        LOG.info("mosquitto (pid {}) listening on {}", process.pid(), config.url());
        return mosquitto;
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with code " + process.exitValue() + ": " + diagnostics());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(config.host(), config.port()), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("mosquitto is not listening on " + config.url() + " after "
                            + START_TIMEOUT.toSeconds() + " s: " + diagnostics());
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for mosquitto", e);
            }
        }
    }

    /** The last lines of mosquitto's output and log, to explain a failure. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (Path p : List.of(config.dir().resolve("mosquitto.out"), config.logFile())) {
            try {
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                    sb.append("\n--- ").append(p.getFileName()).append(" ---\n")
                            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
                }
            } catch (IOException | RuntimeException e) {
                sb.append("\n(cannot read ").append(p).append(": ").append(e).append(')');
            }
        }
        return sb.toString();
    }

    public MosquittoConfig config() {
        return config;
    }

    public int port() {
        return config.port();
    }

    public String url() {
        return config.url();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops mosquitto: SIGTERM, then SIGKILL after {@link #STOP_GRACE}; idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("mosquitto (pid {}) ignored SIGTERM; killing it", process.pid());
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
