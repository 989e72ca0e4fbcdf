package chainkm.testbed.dashboard;

import chainkm.testbed.Testnet;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.NoSuchElementException;

/** The controls of a gateway's process: stop it, start it again. */
final class GatewayControls {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Testnet net;
    private final TestnetPoller poller;

    GatewayControls(Testnet net, TestnetPoller poller) {
        this.net = net;
        this.poller = poller;
    }

    /** Throws {@link NoSuchElementException} if the testnet has no gateway {@code id}. */
    static void requireGateway(Testnet net, int id) {
        if (net.layout().gateways().stream().noneMatch(g -> g.id() == id)) {
            throw new NoSuchElementException("no gateway " + id);
        }
    }

    ObjectNode stop(int id) throws Exception {
        requireGateway(net, id);
        if (!net.isRunning(id)) {
            throw new IllegalStateException("gateway " + id + " is not running");
        }
        net.stop(id);
        poller.pollSoon(); // the page shows it down without waiting for the next look
        return JSON.createObjectNode().put("gateway", id).put("process", "stopped");
    }

    ObjectNode start(int id) throws Exception {
        requireGateway(net, id);
        net.startGateway(id); // IllegalStateException if it runs
        return JSON.createObjectNode().put("gateway", id).put("process", "running");
    }
}
