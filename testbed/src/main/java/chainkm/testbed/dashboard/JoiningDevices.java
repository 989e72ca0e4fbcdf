package chainkm.testbed.dashboard;

import chainkm.testbed.SimulatedDevices;
import chainkm.testbed.Testnet;
import chainkm.cli.TestnetLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The "add devices" control: names new devices {@code prefix} and the next free numbers, has
 * each join through the running gateway with the fewest devices, and lists them while they join
 * (the page shows them before their join is committed).
 */
final class JoiningDevices implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Testnet net;
    private final SimulatedDevices sim;
    private final TestnetPoller poller;
    private final String prefix;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, DaemonThreads.named("dashboard-worker"));
    /** Devices being added, with the gateway each joins through. */
    private final Map<String, Integer> joining = new ConcurrentHashMap<>();

    JoiningDevices(Testnet net, SimulatedDevices sim, TestnetPoller poller, String prefix) {
        this.net = net;
        this.sim = sim;
        this.poller = poller;
        this.prefix = prefix;
    }

    /** The devices being added now, with the gateway each joins through. */
    Map<String, Integer> inProgress() {
        return Collections.unmodifiableMap(joining);
    }

    /** Starts {@code count} devices, each joining through the running gateway with the fewest devices. */
    ObjectNode add(int count) throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        Map<String, Integer> plan = plan(count);
        Map<String, Future<SimulatedDevices.Device>> started = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> p : plan.entrySet()) {
            started.put(p.getKey(), workers.submit(() -> sim.startOne(p.getKey(), p.getValue())));
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode added = out.putArray("added");
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, Future<SimulatedDevices.Device>> f : started.entrySet()) {
            try {
                SimulatedDevices.Device d = f.getValue().get(120, TimeUnit.SECONDS);
                added.addObject().put("device", d.name()).put("node", d.node()).put("gateway", d.agent().gatewayId());
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failed.add(f.getKey() + ": " + cause.getMessage());
            } finally {
                joining.remove(f.getKey());
            }
        }
        if (!failed.isEmpty()) {
            throw new IOException(added.size() + " of " + count + " devices added; " + String.join("; ", failed));
        }
        return out;
    }

    /** Names the new devices and picks each one's gateway, counting the devices still joining. */
    private Map<String, Integer> plan(int count) {
        Map<String, Integer> plan = new LinkedHashMap<>();
        synchronized (joining) {
            Map<Integer, Integer> load = new HashMap<>();
            for (TestnetLayout.Gateway g : net.layout().gateways()) {
                if (net.isRunning(g.id()) && poller.answered(g.id())) {
                    load.put(g.id(), 0);
                }
            }
            if (load.isEmpty()) {
                throw new IllegalStateException("no gateway is up");
            }
            for (SimulatedDevices.Device d : sim.all()) {
                load.computeIfPresent(Agents.gatewayOf(d.agent()), (k, v) -> v + 1);
            }
            joining.values().forEach(g -> load.computeIfPresent(g, (k, v) -> v + 1));
            int next = nextIndex();
            for (int i = 0; i < count; i++) {
                int gw = load.entrySet().stream().min(Map.Entry.<Integer, Integer>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey())).orElseThrow().getKey();
                load.merge(gw, 1, Integer::sum);
                String name = prefix + (next + i);
                plan.put(name, gw);
                joining.put(name, gw);
            }
        }
        return plan;
    }

    /** One more than the highest number of a device named prefix + number. */
    private int nextIndex() {
        int max = 0;
        List<String> names = new ArrayList<>();
        sim.all().forEach(d -> names.add(d.name()));
        names.addAll(joining.keySet());
        for (String n : names) {
            if (n.startsWith(prefix) && n.length() > prefix.length() && n.substring(prefix.length()).matches("\\d{1,9}")) {
                max = Math.max(max, Integer.parseInt(n.substring(prefix.length())));
            }
        }
        return max + 1;
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
