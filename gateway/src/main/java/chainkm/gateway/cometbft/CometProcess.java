package chainkm.gateway.cometbft;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A supervised {@code cometbft start --home <home>} child process.
 *
 * <p>Its stdout and stderr are appended to a log file. While supervised, an exit that
 * {@link #close()} or {@link #kill()} did not ask for is logged with its exit code and the
 * node is started again after a back-off that doubles from {@link Options#initialBackoff()}
 * up to {@link Options#maxBackoff()} (and starts over once a run lasted a minute). The
 * optional {@code FAIL_TEST_INDEX} (CometBFT's libs/fail crash injection) is given to the
 * first start only, so the restarted node runs normally.
 *
 * <p>Nothing global is registered: the owner calls {@link #close()}, from its own shutdown
 * hook if it wants one.
 */
public final class CometProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CometProcess.class);
    private static final Duration STABLE_RUN = Duration.ofMinutes(1);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /**
     * How to start and supervise the node.
     *
     * @param binary         the cometbft executable
     * @param home           the node's home directory
     * @param logFile        where stdout and stderr are appended
     * @param failTestIndex  FAIL_TEST_INDEX for the first start only, if present
     * @param initialBackoff wait before the first restart
     * @param maxBackoff     longest wait between restarts
     */
    public record Options(Path binary, Path home, Path logFile, OptionalInt failTestIndex,
                          Duration initialBackoff, Duration maxBackoff) {
        public Options {
            Objects.requireNonNull(binary, "binary");
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(logFile, "logFile");
            Objects.requireNonNull(failTestIndex, "failTestIndex");
            if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
            }
        }

        /** The defaults: no crash injection, back-off from 500 ms to 10 s. */
        public static Options of(Path binary, Path home, Path logFile) {
            return new Options(binary, home, logFile, OptionalInt.empty(),
                    Duration.ofMillis(500), Duration.ofSeconds(10));
        }

        public Options withFailTestIndex(int index) {
            return new Options(binary, home, logFile, OptionalInt.of(index), initialBackoff, maxBackoff);
        }

        public Options withBackoff(Duration initial, Duration max) {
            return new Options(binary, home, logFile, failTestIndex, initial, max);
        }
    }

    private final Options options;
    private final String name;

    // All guarded by this.
    private Process current;
    private long started;         // System.nanoTime() of the current run
    private int restarts;
    private ConsensusHaltWatch haltWatch;
    private boolean supervised = true;
    private boolean closed;
    private boolean supervising;  // a supervisor thread is watching `current`
    private Integer lastExitCode;
    private Process lastExited;   // the last process whose exit the supervisor noted
    private Duration backoff;

    private CometProcess(Options options) {
        this.options = options;
        this.name = options.home().getFileName() == null ? options.home().toString()
                : options.home().getFileName().toString();
        this.backoff = options.initialBackoff();
    }

    /** Starts the node and its supervision. */
    public static CometProcess start(Options options) throws IOException {
        Files.createDirectories(options.logFile().toAbsolutePath().getParent());
        CometProcess cp = new CometProcess(options);
        synchronized (cp) {
            cp.current = cp.launch(true);
            cp.watch();
        }
        return cp;
    }

    /** Starts the node of {@code home} with default options, logging to {@code home/cometbft.log}. */
    public static CometProcess start(Path binary, CometHome home) throws IOException {
        return start(Options.of(binary, home.home(), home.home().resolve("cometbft.log")));
    }

    private Process launch(boolean first) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(options.binary().toString(), "start",
                "--home", options.home().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile().toFile()));
        pb.environment().remove("FAIL_TEST_INDEX");
        if (first && options.failTestIndex().isPresent()) {
            pb.environment().put("FAIL_TEST_INDEX", Integer.toString(options.failTestIndex().getAsInt()));
        }
        if (haltWatch != null) {
            haltWatch.close();
        }
        haltWatch = ConsensusHaltWatch.start(name, options.logFile());
        Process p = pb.start();
        started = System.nanoTime();
        LOG.info("Started cometbft for {} (pid {}{})", name, p.pid(),
                first && options.failTestIndex().isPresent()
                        ? ", FAIL_TEST_INDEX=" + options.failTestIndex().getAsInt() : "");
        return p;
    }

    /** Starts a supervisor thread for {@code current}. Caller holds the lock. */
    private void watch() {
        supervising = true;
        Thread t = new Thread(this::supervise, "cometbft-supervisor-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void supervise() {
        while (true) {
            Process p;
            synchronized (this) {
                p = current;
            }
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                synchronized (this) {
                    supervising = false;
                    notifyAll();
                }
                return;
            }
            Duration wait;
            synchronized (this) {
                lastExitCode = code;
                lastExited = p;
                if (closed || !supervised) {
                    supervising = false;
                    notifyAll();
                    LOG.info("cometbft for {} (pid {}) exited with {}", name, p.pid(), code);
                    return;
                }
                if (Duration.ofNanos(System.nanoTime() - started).compareTo(STABLE_RUN) >= 0) {
                    backoff = options.initialBackoff();
                }
                wait = backoff;
                backoff = min(backoff.multipliedBy(2), options.maxBackoff());
                notifyAll();
                LOG.warn("cometbft for {} (pid {}) exited unexpectedly with code {}; restarting in {} ms",
                        name, p.pid(), code, wait.toMillis());
                long deadline = System.nanoTime() + wait.toNanos();
                try {
                    for (long left = wait.toNanos(); left > 0 && !closed && supervised;
                         left = deadline - System.nanoTime()) {
                        wait(Math.max(1, left / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    supervising = false;
                    notifyAll();
                    return;
                }
                if (closed || !supervised) {
                    supervising = false;
                    notifyAll();
                    return;
                }
                try {
                    current = launch(false);
                    restarts++;
                } catch (IOException e) {
                    LOG.error("cannot restart cometbft for {}: {}", name, e.toString());
                    started = System.nanoTime(); // a failed start is not a stable run: keep backing off
                    // current stays the dead process: the next loop sees it exited and backs off again.
                }
                notifyAll();
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Whether the cometbft process is running now. */
    public synchronized boolean isAlive() {
        return current.isAlive();
    }

    /** The pid of the current (or last) cometbft process. */
    public synchronized long pid() {
        return current.pid();
    }

    /**
     * How many times the node was started again: by the supervisor after an unexpected exit,
     * or by {@link #setSupervised(boolean) setSupervised(true)} after {@link #kill()}.
     */
    public synchronized int restarts() {
        return restarts;
    }

    /** The exit code of the last run that ended, if any did. */
    public synchronized OptionalInt lastExitCode() {
        return lastExitCode == null ? OptionalInt.empty() : OptionalInt.of(lastExitCode);
    }

    /**
     * Why CometBFT halted this validator's consensus while its process runs on (a wrong app hash:
     * its ledger state is not the consortium's), if it did in the current run.
     */
    public synchronized java.util.Optional<String> consensusHalted() {
        return haltWatch == null ? java.util.Optional.empty() : haltWatch.halted();
    }

    public Path logFile() {
        return options.logFile();
    }

    public synchronized boolean isSupervised() {
        return supervised;
    }

    /**
     * Turns supervision on or off. Turning it off leaves the running process alone, but an
     * exit is no longer followed by a restart. Turning it on when the node has exited and is
     * not being restarted (after {@link #kill()}, say) starts it again, counted as a restart.
     */
    public synchronized void setSupervised(boolean on) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        supervised = on;
        notifyAll();
        if (on && !supervising && !current.isAlive()) {
            try {
                current = launch(false);
                restarts++;
                backoff = options.initialBackoff();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restart cometbft for " + name, e);
            }
            watch();
        } else if (on && !supervising) {
            watch();
        }
    }

    /**
     * SIGKILLs the node without restarting it (supervision is turned off), for fault tests.
     * Returns once it is dead. {@link #setSupervised(boolean) setSupervised(true)} brings it back.
     */
    public void kill() throws InterruptedException {
        Process p;
        synchronized (this) {
            supervised = false;
            notifyAll();
            p = current;
        }
        p.destroyForcibly();
        p.waitFor();
        awaitUnsupervised();
    }

    /**
     * Waits until the process running at the time of the call has exited and the supervisor
     * has taken note of it (so {@link #restarts()} and {@link #isSupervised()} tell whether a
     * restart follows).
     *
     * @return its exit code, or empty on timeout
     */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = current;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return OptionalInt.empty();
        }
        synchronized (this) {
            // The supervisor notes the exit right after its own waitFor returns.
            while (supervising && lastExited != p) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return OptionalInt.of(p.exitValue());
    }

    /** Waits until at least {@code count} restarts happened and the node is running. */
    public synchronized boolean awaitRestarts(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (restarts < count || !current.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(left / 1_000_000, 100)));
        }
        return true;
    }

    private synchronized void awaitUnsupervised() throws InterruptedException {
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        while (supervising && System.nanoTime() < deadline) {
            wait(100);
        }
    }

    /**
     * Stops the node: SIGTERM, up to 10 s for it to exit, then SIGKILL. Idempotent; no restart
     * follows.
     */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
            p = current;
            if (haltWatch != null) {
                haltWatch.close();
            }
        }
        if (p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("cometbft for {} (pid {}) ignored SIGTERM for {} s; killing it",
                            name, p.pid(), STOP_GRACE.toSeconds());
                    p.destroyForcibly();
                    p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            awaitUnsupervised();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Stopped cometbft for {}", name);
    }

    @Override
    public String toString() {
        return "CometProcess[" + name + "]";
    }
}
