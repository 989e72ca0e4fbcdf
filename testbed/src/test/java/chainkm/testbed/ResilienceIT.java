package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.InventoryCommand;
import chainkm.cli.Resilience;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze} on a 64-device, 4-gateway network (joins through every gateway at once): a
 * captured device or gateway exposes no more links than the paper's Propositions 1 and 3 allow,
 * computed on the real key inventory of the running gateways.
 */
class ResilienceIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private RunningTestnet net;

    @AfterEach
    void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void capturedDevicesAndGatewaysStayWithinPropositionsOneAndThree() throws Exception {
        net = RunningTestnet.start(dir, 4);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<JsonNode>> joins = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                int gw = 1 + i % 4;
                joins.add(pool.submit(() -> net.submit(gw, "join", "commit", null, false)));
            }
            for (Future<JsonNode> f : joins) {
                assertEquals("committed", f.get(120, TimeUnit.SECONDS).path("status").asText());
            }
        } finally {
            pool.shutdownNow();
        }
        net.awaitSameAppHash(List.of(1, 2, 3, 4), java.time.Duration.ofSeconds(60));
        RunningTestnet.await("every gateway's key manager to follow the ledger", java.time.Duration.ofSeconds(30),
                () -> net.ids().stream().allMatch(g -> net.net.status(g).path("key_seq").asLong() == 64));
        ObjectNode inventory = InventoryCommand.collect(dir);
        ObjectNode a = Resilience.analyze(inventory);
        System.out.println("analyze: " + a);
        assertEquals(64, a.path("devices").asInt());
        assertEquals(4, a.path("gateways").asInt());
        assertEquals(64 * 63 / 2, a.path("links").asInt());
        JsonNode device = a.path("device_capture");
        JsonNode gateway = a.path("gateway_capture");
        assertEquals(0.2257, device.path("proposition_1").asDouble(), 1e-3, "the paper's 22.6% at n=64");
        assertEquals(0.4405, gateway.path("proposition_3").asDouble(), 1e-3, "the paper's 44% at p=4");
        assertTrue(device.path("within_bound").asBoolean(), device.toString());
        assertTrue(gateway.path("within_bound").asBoolean(), gateway.toString());
        assertTrue(device.path("max_fraction").asDouble() > 0.05, "a device exposes its own links at least");
        // no gateway holds a key of a link between two devices of other gateways
        for (JsonNode g : inventory.path("gateways")) {
            assertEquals(16, g.path("devices").size(), "round-robin joins: 16 devices per gateway");
        }
    }
}
