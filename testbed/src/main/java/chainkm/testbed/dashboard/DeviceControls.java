package chainkm.testbed.dashboard;

import chainkm.cli.EvictCosigning;
import chainkm.device.agent.DeviceAgent;
import chainkm.testbed.SimulatedDevices;
import chainkm.testbed.Testnet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The controls of one simulated device: move, sleep, wake and leave go to its agent; evict goes
 * to the ledger, as an operator's EVICT would. Each answers the device's state once done.
 */
final class DeviceControls {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(60);

    private final Testnet net;
    private final SimulatedDevices sim;
    private final TestnetPoller poller;

    DeviceControls(Testnet net, SimulatedDevices sim, TestnetPoller poller) {
        this.net = net;
        this.sim = sim;
        this.poller = poller;
    }

    private DeviceAgent agent(String name) {
        SimulatedDevices.Device d = sim.get(name);
        if (d == null) {
            throw new NoSuchElementException("no device " + name);
        }
        return d.agent();
    }

    private static ObjectNode result(String name, DeviceAgent a) {
        return JSON.createObjectNode().put("device", name).put("state", a.state().name())
                .put("attached", Agents.gatewayOf(a));
    }

    ObjectNode move(String name, int to) throws Exception {
        DeviceAgent a = agent(name);
        GatewayControls.requireGateway(net, to);
        a.moveTo(to);
        return result(name, a);
    }

    ObjectNode sleep(String name) {
        DeviceAgent a = agent(name);
        a.sleep();
        return result(name, a);
    }

    ObjectNode wake(String name) throws Exception {
        DeviceAgent a = agent(name);
        a.wake();
        return result(name, a).put("epoch", a.seq());
    }

    ObjectNode leave(String name) throws Exception {
        DeviceAgent a = agent(name);
        a.leave();
        return result(name, a);
    }

    /** Submits an EVICT of the device's node through its own gateway, or another one that answers. */
    ObjectNode evict(String name) throws Exception {
        DeviceAgent a = agent(name);
        Integer node = Agents.nodeOf(a);
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
        IOException last = null;
        for (int gw : order) {
            if (!net.isRunning(gw) || !poller.answered(gw)) {
                continue;
            }
            JsonNode r;
            try {
                // its owner alone, or another gateway with the consortium's co-signatures
                ObjectNode signed = req.deepCopy();
                EvictCosigning.addUnlessOwner(net.dir(), net.layout(), gw, node, null, signed);
                r = net.client(gw).submit(signed, SUBMIT_TIMEOUT);
            } catch (IOException e) {
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
}
