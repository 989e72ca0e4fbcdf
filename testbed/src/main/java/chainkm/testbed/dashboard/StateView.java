package chainkm.testbed.dashboard;

import chainkm.device.agent.DeviceAgent;
import chainkm.testbed.SimulatedDevices;
import chainkm.testbed.Testnet;
import chainkm.cli.TestnetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code GET /api/state} answers (the README's "Dashboard" section lists its fields): the
 * gateways as the poller last saw them with the devices attached to each, the ledger's sets,
 * and every simulated device, including those still joining. Built afresh on each request.
 */
final class StateView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Testnet net;
    private final SimulatedDevices sim;
    private final TestnetPoller poller;
    private final EventLog events;
    private final JoiningDevices joining;

    StateView(Testnet net, SimulatedDevices sim, TestnetPoller poller, EventLog events, JoiningDevices joining) {
        this.net = net;
        this.sim = sim;
        this.poller = poller;
        this.events = events;
        this.joining = joining;
    }

    ObjectNode toJson() {
        Map<Integer, JsonNode> statuses = poller.statuses();
        ObjectNode o = JSON.createObjectNode();
        Instant at = poller.polledAt();
        o.put("updated", at == null ? null : at.toString());
        o.put("last_event", events.last());
        List<SimulatedDevices.Device> devices = sim.all();
        Map<Integer, List<String>> attached = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (SimulatedDevices.Device d : devices) {
            Integer gw = Agents.gatewayOf(d.agent());
            if (gw != null) {
                attached.computeIfAbsent(gw, k -> new ArrayList<>()).add(d.name());
            }
            Integer n = Agents.nodeOf(d.agent());
            if (n != null) {
                names.put(n, d.name());
            }
        }
        gateways(o.putArray("gateways"), statuses, attached);
        TestnetPoller.Membership m = poller.membership();
        Set<Integer> members = ledger(o.putObject("ledger"), m, names);
        o.set("authz", poller.authz().toJson());
        ArrayNode devs = o.putArray("devices");
        for (SimulatedDevices.Device d : devices) {
            device(devs.addObject(), d, m == null ? null : members);
        }
        for (Map.Entry<String, Integer> j : joining.inProgress().entrySet()) {
            devs.addObject().put("name", j.getKey()).putNull("node").put("state", "JOINING")
                    .put("joining_through", j.getValue());
        }
        return o;
    }

    /** Each gateway's last status (or why it has none), its process, and the devices attached to it. */
    private void gateways(ArrayNode gws, Map<Integer, JsonNode> statuses, Map<Integer, List<String>> attached) {
        for (TestnetLayout.Gateway g : net.layout().gateways()) {
            JsonNode s = statuses.get(g.id());
            ObjectNode x = s != null ? (ObjectNode) s.deepCopy()
                    : JSON.createObjectNode().put("id", g.id()).put("name", g.name()).put("up", false)
                            .put("error", net.isRunning(g.id()) ? "does not answer (yet)" : "stopped");
            x.put("process", net.isRunning(g.id()) ? "running" : "stopped");
            ArrayNode names = x.putArray("devices");
            attached.getOrDefault(g.id(), List.of()).forEach(names::add);
            gws.add(x);
        }
    }

    /** The ledger's sets with their members named; returns the member node ids. */
    private static Set<Integer> ledger(ObjectNode ledger, TestnetPoller.Membership look, Map<Integer, String> names) {
        Set<Integer> members = new TreeSet<>();
        ArrayNode sets = ledger.putArray("sets");
        if (look == null) {
            return members;
        }
        JsonNode m = look.membership();
        ledger.put("from_gateway", look.fromGateway());
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
        return members;
    }

    /** One device as its agent sees itself; {@code members} null while the ledger was never read. */
    private static void device(ObjectNode y, SimulatedDevices.Device d, Set<Integer> members) {
        DeviceAgent a = d.agent();
        y.put("name", d.name());
        Integer node = Agents.nodeOf(a);
        y.put("node", node);
        try {
            y.put("set", a.setId());
            y.put("gateway", a.gatewayId());
            y.put("epoch", a.seq());
        } catch (RuntimeException e) {
            y.putNull("set");
        }
        y.put("attached", Agents.gatewayOf(a));
        y.put("state", a.state().name());
        y.put("sleeping", a.sleeping());
        y.put("member", members == null ? null : node != null && members.contains(node));
        try {
            y.put("d2d", "127.0.0.1:" + a.d2dAddress().getPort());
        } catch (RuntimeException e) {
            y.putNull("d2d");
        }
    }
}
