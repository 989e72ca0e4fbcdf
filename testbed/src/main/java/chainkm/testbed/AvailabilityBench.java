package chainkm.testbed;

import chainkm.gateway.cometbft.Profile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Issue 4's timings on a real 4-gateway testnet (fast profile) with real agents: a rejoin (the
 * bare {@code POST /rejoin}, and a whole move: last catch-up, rejoin, new DTLS session, catch-up,
 * MQTT), whether its answer came before its REJOIN was committed (it runs no consensus round),
 * a wake-up catch-up after sleeping through a hundred operations, and how long the devices of a
 * gateway killed with kill -9 take to be reattached. Fails only on misbehaviour: a rejoin that
 * changed the key operation count, a device not at the ledger's seq after its catch-up.
 */
public final class AvailabilityBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration ORPHAN_AFTER = Duration.ofSeconds(2);

    private AvailabilityBench() {}

    public record Result(ObjectNode json, String markdown) {}

    public static Result run(int moves, int sleepOps) throws Exception {
        ObjectNode json = JSON.createObjectNode();
        StringBuilder md = new StringBuilder("\n## Rejoin, catch-up and failover (issue 4)\n\n");
        Path dir = Files.createTempDirectory("chainkm-bench-avail-");
        System.out.println("bench: availability on a 4-gateway testnet (fast profile) with 12 devices");
        TestnetGenerator.generate(dir, 4, Profile.FAST);
        try (Testnet net = Testnet.start(dir); SimulatedDevices sim = SimulatedDevices.none(dir)) {
            net.awaitReady(Duration.ofSeconds(180));
            sim.orphanAfter(ORPHAN_AFTER);
            sim.add("a", 1, 12);
            long ops = awaitAllAt(net, sim, Duration.ofSeconds(120));

            // moves: the bare rejoin and the whole move
            List<Double> rejoinMs = new ArrayList<>();
            List<Double> moveMs = new ArrayList<>();
            Random random = new Random(7);
            List<SimulatedDevices.Device> all = sim.all();
            for (int i = 0; i < moves; i++) {
                SimulatedDevices.Device d = all.get(random.nextInt(all.size()));
                int to = d.agent().attachedGateway() % 4 + 1;
                long t0 = System.nanoTime();
                d.agent().moveTo(to);
                moveMs.add((System.nanoTime() - t0) / 1e6);
                rejoinMs.add(d.agent().lastRejoinTime().toNanos() / 1e6);
                if (operations(net) != ops) {
                    throw new IllegalStateException("a rejoin changed the number of key operations");
                }
                System.out.printf("bench: move %d/%d: rejoin %.1f ms, whole move %.1f ms%n", i + 1, moves,
                        rejoinMs.get(i), moveMs.get(i));
            }
            ObjectNode rj = json.putObject("rejoin");
            rj.put("moves", moves).put("rejoin_median_ms", ResponseTimeBench.median(rejoinMs))
                    .put("rejoin_p95_ms", ResponseTimeBench.p95(rejoinMs)).put("move_median_ms", ResponseTimeBench.median(moveMs))
                    .put("move_p95_ms", ResponseTimeBench.p95(moveMs)).put("key_operations_added", 0);
            // catch-up after sleeping through sleepOps joins (commit mode: their answer times are the comparison)
            SimulatedDevices.Device sleeper = all.get(0);
            sleeper.agent().sleep();
            List<Double> commitMs = new ArrayList<>();
            for (int i = 0; i < sleepOps; i++) {
                ObjectNode req = JSON.createObjectNode().put("op", "join").put("mode", "commit");
                long c0 = System.nanoTime();
                net.client(1 + i % 4).submit(req, Duration.ofSeconds(60));
                commitMs.add((System.nanoTime() - c0) / 1e6);
            }
            rj.put("commit_mode_join_median_ms", ResponseTimeBench.median(commitMs));
            md.append(String.format("A rejoin (`POST /rejoin`, DTLS handshake included): median %.1f ms, p95 %.1f ms over %d "
                    + "moves, against %.1f ms for a join in commit mode on the same testnet: the rejoin is answered "
                    + "after CheckTx and waits for no consensus round; no move added a key operation. A whole move "
                    + "(last catch-up at the old gateway, rejoin, new DTLS session, catch-up, MQTT connect): median "
                    + "%.1f ms, p95 %.1f ms.%n%n", ResponseTimeBench.median(rejoinMs), ResponseTimeBench.p95(rejoinMs), moves,
                    ResponseTimeBench.median(commitMs), ResponseTimeBench.median(moveMs), ResponseTimeBench.p95(moveMs)));
            long target = awaitOps(net, ops + sleepOps, Duration.ofSeconds(60));
            long before = sleeper.agent().seq();
            long t0 = System.nanoTime();
            sleeper.agent().wake();
            double wakeMs = (System.nanoTime() - t0) / 1e6;
            if (sleeper.agent().seq() != target) {
                throw new IllegalStateException("the woken device is at seq " + sleeper.agent().seq() + ", not " + target);
            }
            json.putObject("catch_up").put("operations_missed", target - before).put("wake_ms", wakeMs);
            md.append(String.format("Catch-up: a device that slept through %d operations wakes (new DTLS session, "
                    + "`GET /catchup`, applying %d messages in order, MQTT) in %.0f ms.%n%n", target - before,
                    target - before, wakeMs));

            // failover: kill -9 of gateway 2
            awaitAllAt(net, sim, Duration.ofSeconds(120));
            List<SimulatedDevices.Device> orphans = sim.all().stream().filter(d -> d.agent().attachedGateway() == 2).toList();
            long k0 = System.nanoTime();
            net.kill(2);
            ArrayNode times = json.putObject("failover").put("orphan_after_ms", ORPHAN_AFTER.toMillis())
                    .put("orphans", orphans.size()).putArray("reattached_ms");
            List<Double> reattached = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            List<SimulatedDevices.Device> waiting = new ArrayList<>(orphans);
            while (!waiting.isEmpty() && System.nanoTime() < deadline) {
                for (SimulatedDevices.Device d : List.copyOf(waiting)) {
                    if (d.agent().attachedGateway() != 2
                            && d.agent().state() == chainkm.device.agent.AgentListener.State.JOINED) {
                        double ms = (System.nanoTime() - k0) / 1e6;
                        reattached.add(ms);
                        times.add(ms);
                        waiting.remove(d);
                    }
                }
                Thread.sleep(20);
            }
            if (!waiting.isEmpty()) {
                throw new IllegalStateException(waiting.size() + " devices of the killed gateway never reattached");
            }
            md.append(String.format("Failover: after kill -9 of gateway 2, its %d devices were attached to other gateways (and connected) "
                    + "after %.1f s (first) to %.1f s (last), with orphan_after = %d s (bound: about 2 x orphan_after "
                    + "plus a rejoin).%n", orphans.size(), Collections.min(reattached) / 1000,
                    Collections.max(reattached) / 1000, ORPHAN_AFTER.toSeconds()));
        }
        return new Result(json, md.toString());
    }

    private static JsonNode query(Testnet net, String path, String data) throws Exception {
        var r = new chainkm.gateway.cometbft.CometRpc(net.layout().gateway(1).rpcPort())
                .abciQuery(path, data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return JSON.readTree(r.value());
    }

    private static long operations(Testnet net) throws Exception {
        return query(net, "/status", "").path("operations").asLong();
    }

    private static long awaitOps(Testnet net, long ops, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (operations(net) < ops) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway 1 never reached " + ops + " operations");
            }
            Thread.sleep(50);
        }
        return operations(net);
    }

    private static long awaitAllAt(Testnet net, SimulatedDevices sim, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long ops = operations(net);
            if (sim.all().stream().allMatch(d -> d.agent().seq() == ops)) {
                return ops;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("devices never reached the ledger's seq " + ops);
            }
            Thread.sleep(50);
        }
    }
}
