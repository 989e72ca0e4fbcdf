package chainkm.testbed.dashboard;

import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.testbed.SimulatedDevices;
import chainkm.testbed.Testnet;
import chainkm.cli.TestnetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's view of a running testnet and its simulated devices, and its controls.
 * Once a second it reads every gateway's status through its control API (what
 * {@code bin/chainkm status} prints), the sets from the ledger ({@code /membership} on the
 * most advanced gateway that answers) and the operations committed since the last look
 * ({@code /refresh}), and turns what changed into events; the agents report their own events
 * through an {@link AgentListener}.
 */
public final class LiveTestbed implements TestbedControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveTestbed.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(60);

    private final Testnet net;
    private final SimulatedDevices sim;
    private final String prefix;
    private final EventLog events = new EventLog(5000);
    private final ScheduledExecutorService poller;
    /** Status requests of the poller, apart from the controls' work so a long join never delays them. */
    private final ExecutorService statusPool;
    private final ExecutorService workers;
    private final LedgerEvents ledgerEvents;

    /** The last look at the gateways (null: did not answer) and at the ledger. */
    private volatile Map<Integer, JsonNode> statuses = Map.of();
    private volatile JsonNode membership;
    private volatile int membershipFrom;
    private volatile Instant polledAt;
    private final Map<Integer, Boolean> wasUp = new HashMap<>();
    private final Map<String, Integer> wasAttached = new HashMap<>();
    /** Devices being added, with the gateway each joins through. */
    private final Map<String, Integer> joining = new ConcurrentHashMap<>();

    /**
     * Watches {@code net} and {@code sim} (whose devices started from now on report their events);
     * devices it adds are named {@code prefix} and a number.
     */
    public LiveTestbed(Testnet net, SimulatedDevices sim, String prefix) {
        this.net = net;
        this.sim = sim;
        this.prefix = prefix;
        this.ledgerEvents = new LedgerEvents(events, this::deviceOfNode);
        events.nameDevicesWith(this::deviceOfNode);
        sim.addAgentListener(new AgentListener() {
            @Override
            public void event(DeviceAgent agent, Event event, String detail) {
                events.add(EventLog.Source.DEVICE, event.name().toLowerCase(), agent.name(), nodeOf(agent),
                        gatewayOf(agent), detail);
            }

            @Override
            public void state(DeviceAgent agent, State state) {
                if (state == State.ERROR) {
                    events.add(EventLog.Source.DEVICE, "error", agent.name(), nodeOf(agent), gatewayOf(agent),
                            "the agent is in state ERROR");
                }
            }
        });
        statusPool = Executors.newFixedThreadPool(4, daemon("dashboard-status"));
        workers = Executors.newFixedThreadPool(4, daemon("dashboard-worker"));
        poller = Executors.newSingleThreadScheduledExecutor(daemon("dashboard-poller"));
        poller.scheduleWithFixedDelay(this::pollQuietly, 0, 1, TimeUnit.SECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public EventLog events() {
        return events;
    }

    // ---------------------------------------------------------------- watching

    private void pollQuietly() {
        try {
            poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("dashboard poll failed: {}", e.toString());
        }
    }

    private synchronized void poll() throws InterruptedException {
        List<TestnetLayout.Gateway> gateways = net.layout().gateways();
        Map<Integer, CompletableFuture<JsonNode>> asked = new LinkedHashMap<>();
        for (TestnetLayout.Gateway g : gateways) {
            asked.put(g.id(), CompletableFuture.supplyAsync(() -> net.status(g.id()), statusPool));
        }
        Map<Integer, JsonNode> now = new LinkedHashMap<>();
        for (Map.Entry<Integer, CompletableFuture<JsonNode>> e : asked.entrySet()) {
            JsonNode s;
            try {
                s = e.getValue().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException x) {
                s = null;
            }
            if (s != null) {
                now.put(e.getKey(), s);
            }
            boolean up = s != null;
            Boolean before = wasUp.put(e.getKey(), up);
            if (up && !Boolean.TRUE.equals(before)) {
                events.add(EventLog.Source.GATEWAY, "up", null, null, e.getKey(),
                        "gateway " + e.getKey() + " answers, at height " + s.path("height").asLong());
            } else if (!up && Boolean.TRUE.equals(before)) {
                events.add(EventLog.Source.GATEWAY, "down", null, null, e.getKey(), "gateway " + e.getKey()
                        + (net.isRunning(e.getKey()) ? " does not answer" : " is stopped"));
            }
        }
        statuses = now;
        readLedger(now);
        for (SimulatedDevices.Device d : sim.all()) {
            Integer gw = gatewayOf(d.agent());
            Integer before = wasAttached.put(d.name(), gw);
            if (before != null && gw != null && !before.equals(gw)) {
                events.add(EventLog.Source.DEVICE, "attached", d.name(), nodeOf(d.agent()), gw,
                        d.name() + " is now attached to gateway " + gw + " (was gateway " + before + ")");
            }
        }
        polledAt = Instant.now();
    }

    /** Sets and new operations from the most advanced gateway that answers. */
    private void readLedger(Map<Integer, JsonNode> now) {
        int best = -1;
        long bestHeight = -1;
        for (Map.Entry<Integer, JsonNode> e : now.entrySet()) {
            long h = e.getValue().path("height").asLong(-1);
            if (h > bestHeight) {
                best = e.getKey();
                bestHeight = h;
            }
        }
        if (best < 0) {
            return;
        }
        CometRpc rpc = new CometRpc(net.layout().gateway(best).rpcPort(), STATUS_TIMEOUT);
        try {
            membership = query(rpc, "/membership", "");
            membershipFrom = best;
            ledgerEvents.accept(query(rpc, "/refresh", ledgerEvents.nextHeight() + "-" + Long.MAX_VALUE));
        } catch (RuntimeException e) {
            LOG.debug("ledger query on gateway {} failed: {}", best, e.toString());
        }
    }

    private static JsonNode query(CometRpc rpc, String path, String data) {
        CometRpc.QueryResult r = rpc.abciQuery(path, data.getBytes(StandardCharsets.UTF_8));
        if (r.code() != 0) {
            throw new IllegalStateException("query " + path + " refused: " + r.log());
        }
        try {
            return JSON.readTree(r.value());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("query " + path + ": " + e.getMessage());
        }
    }

    private String deviceOfNode(int node) {
        for (SimulatedDevices.Device d : sim.all()) {
            Integer n = nodeOf(d.agent());
            if (n != null && n == node) {
                return d.name();
            }
        }
        return null;
    }

    private static Integer nodeOf(DeviceAgent a) {
        try {
            return a.nodeId();
        } catch (RuntimeException e) {
            return null; // not joined yet
        }
    }

    private static Integer gatewayOf(DeviceAgent a) {
        try {
            return a.attachedGateway();
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- the state the page shows

    @Override
    public ObjectNode state() {
        Map<Integer, JsonNode> st = statuses;
        ObjectNode o = JSON.createObjectNode();
        Instant at = polledAt;
        o.put("updated", at == null ? null : at.toString());
        o.put("last_event", events.last());
        List<SimulatedDevices.Device> devices = sim.all();
        Map<Integer, List<String>> attached = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (SimulatedDevices.Device d : devices) {
            Integer gw = gatewayOf(d.agent());
            if (gw != null) {
                attached.computeIfAbsent(gw, k -> new ArrayList<>()).add(d.name());
            }
            Integer n = nodeOf(d.agent());
            if (n != null) {
                names.put(n, d.name());
            }
        }
        ArrayNode gws = o.putArray("gateways");
        for (TestnetLayout.Gateway g : net.layout().gateways()) {
            JsonNode s = st.get(g.id());
            ObjectNode x = s != null ? (ObjectNode) s.deepCopy()
                    : JSON.createObjectNode().put("id", g.id()).put("name", g.name()).put("up", false)
                            .put("error", net.isRunning(g.id()) ? "does not answer (yet)" : "stopped");
            x.put("process", net.isRunning(g.id()) ? "running" : "stopped");
            ArrayNode names2 = x.putArray("devices");
            attached.getOrDefault(g.id(), List.of()).forEach(names2::add);
            gws.add(x);
        }
        ObjectNode ledger = o.putObject("ledger");
        JsonNode m = membership;
        Set<Integer> members = new TreeSet<>();
        ArrayNode sets = ledger.putArray("sets");
        if (m != null) {
            ledger.put("from_gateway", membershipFrom);
            ledger.put("height", m.path("height").asLong());
            ledger.put("members", m.path("members").asInt());
            for (JsonNode set : m.path("sets")) {
                ObjectNode y = sets.addObject().put("id", set.path("id").asInt()).put("gateway", set.path("gateway").asInt());
                ArrayNode ms = y.putArray("members");
                for (JsonNode node : set.path("members")) {
                    members.add(node.asInt());
                    ms.addObject().put("node", node.asInt()).put("device", names.get(node.asInt()));
                }
            }
        }
        ArrayNode devs = o.putArray("devices");
        for (SimulatedDevices.Device d : devices) {
            DeviceAgent a = d.agent();
            ObjectNode y = devs.addObject();
            y.put("name", d.name());
            Integer node = nodeOf(a);
            y.put("node", node);
            try {
                y.put("set", a.setId());
                y.put("gateway", a.gatewayId());
                y.put("epoch", a.epoch());
            } catch (RuntimeException e) {
                y.putNull("set");
            }
            y.put("attached", gatewayOf(a));
            y.put("state", a.state().name());
            y.put("sleeping", a.sleeping());
            y.put("member", m == null ? null : node != null && members.contains(node));
            try {
                y.put("d2d", "127.0.0.1:" + a.d2dAddress().getPort());
            } catch (RuntimeException e) {
                y.putNull("d2d");
            }
        }
        for (Map.Entry<String, Integer> j : joining.entrySet()) {
            devs.addObject().put("name", j.getKey()).putNull("node").put("state", "JOINING")
                    .put("joining_through", j.getValue());
        }
        return o;
    }

    // ---------------------------------------------------------------- controls

    private TestnetLayout.Gateway gateway(int id) {
        return net.layout().gateways().stream().filter(g -> g.id() == id).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no gateway " + id));
    }

    private DeviceAgent agent(String name) {
        SimulatedDevices.Device d = sim.get(name);
        if (d == null) {
            throw new NoSuchElementException("no device " + name);
        }
        return d.agent();
    }

    private ObjectNode deviceResult(String name, DeviceAgent a) {
        return JSON.createObjectNode().put("device", name).put("state", a.state().name()).put("attached", gatewayOf(a));
    }

    @Override
    public ObjectNode stopGateway(int id) throws Exception {
        gateway(id);
        if (!net.isRunning(id)) {
            throw new IllegalStateException("gateway " + id + " is not running");
        }
        net.stop(id);
        poller.execute(this::pollQuietly);
        return JSON.createObjectNode().put("gateway", id).put("process", "stopped");
    }

    @Override
    public ObjectNode startGateway(int id) throws Exception {
        gateway(id);
        net.startGateway(id); // IllegalStateException if it runs
        return JSON.createObjectNode().put("gateway", id).put("process", "running");
    }

    @Override
    public ObjectNode moveDevice(String name, int to) throws Exception {
        DeviceAgent a = agent(name);
        gateway(to);
        a.moveTo(to);
        return deviceResult(name, a);
    }

    @Override
    public ObjectNode sleepDevice(String name) {
        DeviceAgent a = agent(name);
        a.sleep();
        return deviceResult(name, a);
    }

    @Override
    public ObjectNode wakeDevice(String name) throws Exception {
        DeviceAgent a = agent(name);
        a.wake();
        return deviceResult(name, a).put("epoch", a.epoch());
    }

    @Override
    public ObjectNode leaveDevice(String name) throws Exception {
        DeviceAgent a = agent(name);
        a.leave();
        return deviceResult(name, a);
    }

    /** Submits an EVICT of the device's node through its own gateway, or another one that answers. */
    @Override
    public ObjectNode evictDevice(String name) throws Exception {
        DeviceAgent a = agent(name);
        Integer node = nodeOf(a);
        if (node == null) {
            throw new IllegalStateException(name + " has not joined");
        }
        List<Integer> order = new ArrayList<>();
        order.add(a.gatewayId());
        net.layout().gateways().forEach(g -> {
            if (!order.contains(g.id())) {
                order.add(g.id());
            }
        });
        ObjectNode req = JSON.createObjectNode().put("op", "evict").put("mode", "commit").put("node_id", node);
        java.io.IOException last = null;
        for (int gw : order) {
            if (!net.isRunning(gw) || statuses.get(gw) == null) {
                continue;
            }
            JsonNode r;
            try {
                r = net.client(gw).submit(req, SUBMIT_TIMEOUT);
            } catch (java.io.IOException e) {
                last = e;
                continue;
            }
            if (!"committed".equals(r.path("status").asText())) {
                throw new IllegalStateException("the ledger refused the eviction of node " + node + ": "
                        + r.path("log").asText(r.path("status").asText()));
            }
            ObjectNode out = JSON.createObjectNode().put("device", name).put("node", node).put("through_gateway", gw);
            out.set("result", r);
            return out;
        }
        throw new IllegalStateException("no gateway answers" + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /** Starts {@code count} devices, each joining through the running gateway with the fewest devices. */
    @Override
    public ObjectNode addDevices(int count) throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        Map<String, Integer> plan = new LinkedHashMap<>();
        synchronized (joining) {
            Map<Integer, Integer> load = new HashMap<>();
            for (TestnetLayout.Gateway g : net.layout().gateways()) {
                if (net.isRunning(g.id()) && statuses.get(g.id()) != null) {
                    load.put(g.id(), 0);
                }
            }
            if (load.isEmpty()) {
                throw new IllegalStateException("no gateway is up");
            }
            for (SimulatedDevices.Device d : sim.all()) {
                load.computeIfPresent(gatewayOf(d.agent()), (k, v) -> v + 1);
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
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failed.add(f.getKey() + ": " + cause.getMessage());
            } finally {
                joining.remove(f.getKey());
            }
        }
        if (!failed.isEmpty()) {
            throw new java.io.IOException(added.size() + " of " + count + " devices added; " + String.join("; ", failed));
        }
        return out;
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
        poller.shutdownNow();
        statusPool.shutdownNow();
        workers.shutdownNow();
    }
}
