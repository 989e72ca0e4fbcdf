package chainkm.testbed.dashboard;

import chainkm.gateway.cometbft.CometRpc;
import chainkm.testbed.SimulatedDevices;
import chainkm.testbed.Testnet;
import chainkm.cli.TestnetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the testnet once a second and logs what changed. Each look reads every gateway's
 * status through its control API (what {@code bin/chainkm status} prints), the sets from the
 * ledger ({@code /membership} on the most advanced gateway that answers), the operations
 * committed since the last look ({@code /refresh}), the policies and tokens
 * ({@code /authz/policy}, {@code /authz/tokens}: {@link AuthzView}), and which gateway each
 * simulated device is attached to. The last look is kept for the page and for the controls that need a gateway up.
 */
final class TestnetPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestnetPoller.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

    /** The ledger's sets ({@code /membership}) as {@code fromGateway} answered them. */
    record Membership(JsonNode membership, int fromGateway) {}

    private final Testnet net;
    private final SimulatedDevices sim;
    private final EventLog events;
    private final LedgerEvents ledgerEvents;
    private final AuthzView authz;
    private final ScheduledExecutorService poller;
    /** The status requests, apart from the controls' work so a long join never delays them. */
    private final ExecutorService statusPool;

    /** The last look at the gateways (absent: did not answer) and at the ledger. */
    private volatile Map<Integer, JsonNode> statuses = Map.of();
    private volatile Membership membership;
    private volatile Instant polledAt;
    private final Map<Integer, Boolean> wasUp = new HashMap<>();
    private final Map<String, Integer> wasAttached = new HashMap<>();

    TestnetPoller(Testnet net, SimulatedDevices sim, EventLog events) {
        this.net = net;
        this.sim = sim;
        this.events = events;
        this.ledgerEvents = new LedgerEvents(events, node -> Agents.deviceOfNode(sim, node));
        this.authz = new AuthzView(events);
        statusPool = Executors.newFixedThreadPool(4, DaemonThreads.named("dashboard-status"));
        poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("dashboard-poller"));
    }

    /** Looks now, then a second after each look ends. */
    TestnetPoller start() {
        poller.scheduleWithFixedDelay(this::pollQuietly, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Looks once more as soon as the poller is free, so a control's effect shows without waiting. */
    void pollSoon() {
        poller.execute(this::pollQuietly);
    }

    /** Each gateway's status at the last look, by id; a gateway that did not answer is absent. */
    Map<Integer, JsonNode> statuses() {
        return statuses;
    }

    /** Whether gateway {@code id} answered at the last look. */
    boolean answered(int id) {
        return statuses.get(id) != null;
    }

    /** The ledger's sets at the last look that reached a gateway, or null before the first. */
    Membership membership() {
        return membership;
    }

    /** The ledger's policies and tokens at the last look that reached a gateway. */
    AuthzView authz() {
        return authz;
    }

    /** When the last look ended, or null before the first. */
    Instant polledAt() {
        return polledAt;
    }

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
            } catch (ExecutionException | TimeoutException x) {
                s = null;
            }
            if (s != null) {
                now.put(e.getKey(), s);
            }
            logUpOrDown(e.getKey(), s);
        }
        statuses = now;
        readLedger(now);
        logAttachments();
        polledAt = Instant.now();
    }

    /** Logs a gateway that answers again ({@code status} not null) or stopped answering. */
    private void logUpOrDown(int id, JsonNode status) {
        boolean up = status != null;
        Boolean before = wasUp.put(id, up);
        if (up && !Boolean.TRUE.equals(before)) {
            events.add(EventLog.Source.GATEWAY, "up", null, null, id,
                    "gateway " + id + " answers, at height " + status.path("height").asLong());
        } else if (!up && Boolean.TRUE.equals(before)) {
            events.add(EventLog.Source.GATEWAY, "down", null, null, id, "gateway " + id
                    + (net.isRunning(id) ? " does not answer" : " is stopped"));
        }
    }

    /** Logs each device now attached to another gateway than at the last look. */
    private void logAttachments() {
        for (SimulatedDevices.Device d : sim.all()) {
            Integer gw = Agents.gatewayOf(d.agent());
            Integer before = wasAttached.put(d.name(), gw);
            if (before != null && gw != null && !before.equals(gw)) {
                events.add(EventLog.Source.DEVICE, "attached", d.name(), Agents.nodeOf(d.agent()), gw,
                        d.name() + " is now attached to gateway " + gw + " (was gateway " + before + ")");
            }
        }
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
            membership = new Membership(query(rpc, "/membership", ""), best);
            ledgerEvents.accept(query(rpc, "/refresh", ledgerEvents.nextHeight() + "-" + Long.MAX_VALUE));
            authz.accept(query(rpc, "/authz/policy", ""), query(rpc, "/authz/tokens", ""));
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
        } catch (IOException e) {
            throw new IllegalStateException("query " + path + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        statusPool.shutdownNow();
    }
}
