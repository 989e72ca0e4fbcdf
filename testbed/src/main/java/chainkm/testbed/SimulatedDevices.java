package chainkm.testbed;

import chainkm.cli.Provisioner;
import chainkm.cli.TestnetLayout;
import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated devices for testbeds and tests: real device agents (each with its own DTLS
 * session, MQTT connection and key store directory), several per JVM. Device i joins through
 * gateway 1 + (i - 1) mod p.
 */
public final class SimulatedDevices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevices.class);

    /** One simulated device and the D2D messages it received. */
    public record Device(String name, DeviceAgent agent, List<Received> inbox) {
        public int node() {
            return agent.nodeId();
        }
    }

    public record Received(int from, String text) {}

    private final Path testnetDir;
    /** Print every D2D message received on stdout, one JSON line each (for `make run`). */
    private volatile boolean echo;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, Provisioning> bundles = new ConcurrentHashMap<>();
    private volatile Duration orphanAfter = DeviceAgent.Options.DEFAULT_ORPHAN_AFTER;
    private final List<AgentListener> agentListeners = new CopyOnWriteArrayList<>();

    private SimulatedDevices(Path testnetDir) {
        this.testnetDir = testnetDir;
    }

    /** No devices yet (set options, then {@link #add}). */
    public static SimulatedDevices none(Path testnetDir) {
        return new SimulatedDevices(testnetDir);
    }

    /** Provisions and starts devices named {@code prefix1..prefixN}, joining several gateways at once. */
    public static SimulatedDevices start(Path testnetDir, String prefix, int count) throws Exception {
        SimulatedDevices sim = new SimulatedDevices(testnetDir);
        sim.add(prefix, 1, count);
        return sim;
    }

    /** No devices yet: {@link #add} and {@link #startOne} start them (listeners can be added first). */
    public static SimulatedDevices create(Path testnetDir) {
        return new SimulatedDevices(testnetDir);
    }

    /**
     * Tells {@code l} the state changes and protocol events of every device started from now on,
     * from its first state (before it joins) on.
     */
    public void addAgentListener(AgentListener l) {
        agentListeners.add(l);
    }

    /** Adds devices {@code prefix<from>..prefix<from+count-1>}. */
    public List<Device> add(String prefix, int from, int count) throws Exception {
        int gateways = TestnetLayout.load(testnetDir).gateways().size();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(gateways, 4));
        List<Future<Device>> futures = new ArrayList<>();
        try {
            for (int i = from; i < from + count; i++) {
                String name = prefix + i;
                int gateway = 1 + (i - 1) % gateways;
                futures.add(pool.submit(() -> startOne(name, gateway)));
            }
            List<Device> out = new ArrayList<>();
            for (Future<Device> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    public Device startOne(String name, int gateway) throws IOException {
        Provisioning p = Provisioner.provision(testnetDir, name, gateway);
        List<Received> inbox = new CopyOnWriteArrayList<>();
        DeviceAgent agent = DeviceAgent.start(p, stateDir(name), new DeviceAgent.Options(
                new InetSocketAddress("127.0.0.1", 0), DeviceAgent.DEFAULT_GRACE, Duration.ofSeconds(30), orphanAfter),
                (from, payload) -> {
                    String text = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
                    inbox.add(new Received(from, text));
                    if (echo) {
                        System.out.println("{\"device\":\"" + name + "\",\"from\":" + from + ",\"message\":\""
                                + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
                    }
                }, forwardingListener());
        Device d = new Device(name, agent, inbox);
        bundles.put(name, p);
        devices.put(name, d);
        LOG.info("simulated device {} is node {} on gateway {}", name, agent.nodeId(), agent.gatewayId());
        return d;
    }

    /** How long a device's gateway may stay silent before it rejoins another (default {@link DeviceAgent.Options#DEFAULT_ORPHAN_AFTER}). */
    public void orphanAfter(Duration d) {
        orphanAfter = d;
    }

    /** One listener for an agent that passes everything on to the listeners added so far and later. */
    private AgentListener forwardingListener() {
        return new AgentListener() {
            @Override
            public void state(DeviceAgent agent, State state) {
                for (AgentListener l : agentListeners) {
                    try {
                        l.state(agent, state);
                    } catch (RuntimeException e) {
                        LOG.warn("agent listener failed: {}", e.toString());
                    }
                }
            }

            @Override
            public void event(DeviceAgent agent, Event event, String detail) {
                for (AgentListener l : agentListeners) {
                    try {
                        l.event(agent, event, detail);
                    } catch (RuntimeException e) {
                        LOG.warn("agent listener failed: {}", e.toString());
                    }
                }
            }
        };
    }

    public void echoReceivedMessages(boolean on) {
        echo = on;
    }

    /** The provisioning bundle device {@code name} was started with (as its SD card holds it). */
    public Provisioning provisioning(String name) {
        Provisioning p = bundles.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no simulated device " + name);
        }
        return p;
    }

    public Path stateDir(String name) {
        return testnetDir.resolve("devices").resolve(name);
    }

    public List<Device> all() {
        List<Device> list = new ArrayList<>(devices.values());
        list.sort(java.util.Comparator.comparing(Device::name));
        return list;
    }

    public Device get(String name) {
        return devices.get(name);
    }

    /** Stops one device (its state stays on disk). */
    public void stop(String name) {
        Device d = devices.remove(name);
        if (d != null) {
            d.agent().close();
        }
    }

    @Override
    public void close() {
        for (Device d : devices.values()) {
            try {
                d.agent().close();
            } catch (RuntimeException e) {
                LOG.warn("stopping {}: {}", d.name(), e.toString());
            }
        }
        devices.clear();
    }
}
