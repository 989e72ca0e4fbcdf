package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.InventoryCommand;
import chainkm.cli.Resilience;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code analyze} on a 64-device, 4-gateway network (joins through every gateway at once): a
 * captured device or gateway exposes no more links than the paper's Propositions 1 and 3 allow,
 * computed on the real key inventory of the running gateways.
 */
class ResilienceIT extends TestnetIT {

    @Test
    void capturedDevicesAndGatewaysStayWithinPropositionsOneAndThree() throws Exception {
        net = RunningTestnet.start(dir, 4);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<SubmitAnswer>> joins = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                int gw = 1 + i % 4;
                joins.add(pool.submit(() -> net.join(gw).commit()));
            }
            for (Future<SubmitAnswer> f : joins) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isCommitted();
            }
        } finally {
            pool.shutdownNow();
        }
        net.awaitSameAppHash(Duration.ofSeconds(60));
        // every gateway's key manager follows the ledger
        net.awaitKeySeq(net.ids(), 64, Duration.ofSeconds(30));
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
