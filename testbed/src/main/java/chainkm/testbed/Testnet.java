package chainkm.testbed;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.control.ControlClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running testnet: one gateway process (a JVM running the gateway's entry point,
 * {@code chainkm.gateway.Main}, which in turn runs its CometBFT validator) per gateway, supervised: a gateway that dies on its own
 * is restarted; {@link #kill(int)} and {@link #stop(int)} take one down on purpose.
 */
public final class Testnet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Testnet.class);

    private final Path dir;
    private final TestnetLayout layout;
    private final Map<Integer, GatewayProcess> processes = new ConcurrentHashMap<>();
    private final Map<Integer, ControlClient> clients = new TreeMap<>();
    private final Thread supervisor;
    private volatile boolean closed;
    private java.util.function.Function<Integer, List<String>> extraArgs = id -> List.of();
    private java.util.function.Function<Integer, List<String>> jvmOptions = id -> List.of();

    private Testnet(Path dir, TestnetLayout layout) throws IOException {
        this.dir = dir;
        this.layout = layout;
        for (TestnetLayout.Gateway g : layout.gateways()) {
            clients.put(g.id(), ControlClient.forHome(dir.resolve(g.home()), g.controlPort()));
        }
        this.supervisor = new Thread(this::supervise, "testnet-supervisor");
        supervisor.setDaemon(true);
    }

    /** Starts every gateway of the testnet in {@code dir}. */
    public static Testnet start(Path dir) throws IOException {
        return start(dir, id -> List.of());
    }

    /** Starts every gateway, each with extra gateway options (e.g. --mqtt-url; see {@link GatewayProcess}). */
    public static Testnet start(Path dir, java.util.function.Function<Integer, List<String>> extraArgs) throws IOException {
        return start(dir, extraArgs, id -> List.of());
    }

    /** Starts every gateway, each with extra options and extra JVM options (e.g. a flight recording, for benchmarks). */
    public static Testnet start(Path dir, java.util.function.Function<Integer, List<String>> extraArgs,
                                java.util.function.Function<Integer, List<String>> jvmOptions) throws IOException {
        Testnet t = new Testnet(dir, TestnetLayout.load(dir));
        t.extraArgs = extraArgs;
        t.jvmOptions = jvmOptions;
        for (TestnetLayout.Gateway g : t.layout.gateways()) {
            t.startGateway(g.id(), extraArgs.apply(g.id()));
        }
        t.supervisor.start();
        return t;
    }

    public TestnetLayout layout() {
        return layout;
    }

    public Path dir() {
        return dir;
    }

    public ControlClient client(int gatewayId) {
        return clients.get(gatewayId);
    }

    /** Starts (or restarts) one gateway; {@code extraArgs} may hold fault options of {@code chainkm gateway}. */
    public void startGateway(int id, List<String> extraArgs) throws IOException {
        TestnetLayout.Gateway g = layout.gateway(id);
        GatewayProcess old = processes.get(id);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("gateway " + id + " is already running");
        }
        processes.put(id, GatewayProcess.launch(dir.resolve(g.home()), extraArgs, jvmOptions.apply(id)));
    }

    /** Starts (or restarts) one gateway with the options the testnet was started with. */
    public void startGateway(int id) throws IOException {
        startGateway(id, extraArgs.apply(id));
    }

    /** kill -9 of the gateway's JVM and its CometBFT; it stays down until {@link #startGateway}. */
    public void kill(int id) throws InterruptedException {
        GatewayProcess p = processes.remove(id);
        if (p != null) {
            p.kill();
        }
    }

    /** Graceful stop (SIGTERM); it stays down until {@link #startGateway}. */
    public void stop(int id) throws InterruptedException {
        GatewayProcess p = processes.remove(id);
        if (p != null) {
            p.stop();
        }
    }

    /** The running gateway's JVM process (its CometBFT is among its descendants), if it runs. */
    public java.util.Optional<ProcessHandle> process(int id) {
        GatewayProcess p = processes.get(id);
        return p == null ? java.util.Optional.empty() : java.util.Optional.of(p.handle());
    }

    public boolean isRunning(int id) {
        GatewayProcess p = processes.get(id);
        return p != null && p.isAlive();
    }

    /** The gateway's status, or null when it does not answer. */
    public JsonNode status(int id) {
        try {
            return clients.get(id).status(Duration.ofSeconds(3));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Waits until every running gateway answers, its CometBFT is connected to all other
     * running validators, and the chain has committed at least one block.
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String why = "";
        while (System.nanoTime() < deadline) {
            why = notReadyReason();
            if (why == null) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("testnet not ready after " + timeout.toSeconds() + " s: " + why
                + " (see the logs in " + dir + "/gateway-*/)");
    }

    private String notReadyReason() {
        // gateways taken down on purpose (kill, stop) are not waited for; the others must be up
        int running = processes.size();
        for (TestnetLayout.Gateway g : layout.gateways()) {
            if (!processes.containsKey(g.id())) {
                continue;
            }
            if (!isRunning(g.id())) {
                return "gateway " + g.id() + " is not running (" + processes.get(g.id()).exitCode() + ")";
            }
            JsonNode s = status(g.id());
            if (s == null) {
                return "gateway " + g.id() + " does not answer yet";
            }
            JsonNode c = s.path("cometbft");
            if (c.path("peers").asInt(-1) < running - 1) {
                return "gateway " + g.id() + " has " + c.path("peers").asInt(0) + " peers";
            }
            if (s.path("height").asLong(0) < 1 || c.path("catching_up").asBoolean(true)) {
                return "gateway " + g.id() + " is at height " + s.path("height").asLong(0);
            }
        }
        return null;
    }

    /** Restarts gateways that died on their own (not the ones killed or stopped on purpose). */
    private void supervise() {
        while (!closed) {
            try {
                Thread.sleep(500);
                for (Map.Entry<Integer, GatewayProcess> e : processes.entrySet()) {
                    if (!closed && !e.getValue().isAlive() && processes.get(e.getKey()) == e.getValue()) {
                        LOG.warn("gateway {} exited on its own ({}); restarting it", e.getKey(), e.getValue().exitCode());
                        processes.remove(e.getKey());
                        startGateway(e.getKey(), extraArgs.apply(e.getKey()));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("supervisor: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        supervisor.interrupt();
        List<GatewayProcess> all = new ArrayList<>(processes.values());
        processes.clear();
        all.forEach(GatewayProcess::signalStop);
        for (GatewayProcess p : all) {
            try {
                p.awaitOrKill(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
