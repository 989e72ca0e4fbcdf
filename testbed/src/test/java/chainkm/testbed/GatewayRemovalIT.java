package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 4, the gateway set: gateway 2 dies, its devices rejoin gateway 3, and the consortium
 * removes gateway 2 with `bin/chainkm remove-gateway` (a quorum-signed transaction). Its
 * validator leaves the validator set; gateway 3 adopts its sets and renews every key gateway 2
 * knew, so a captured gateway 2 holds nothing of use; keying goes on for the adopted devices;
 * and when gateway 2 comes back it owns nothing, serves nobody and can no longer submit.
 */
class GatewayRemovalIT extends TestnetIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private int validators(int gateway) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + net.net.layout().gateway(gateway).rpcPort() + "/validators")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("result").path("total").asInt();
    }

    @Test
    void aRemovedGatewaysSetsAreAdoptedWithFreshKeysAndItCanNoLongerSubmit() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.none(dir);
        sim.orphanAfter(Duration.ofSeconds(3));
        sim.add("g", 1, 12);
        RunningTestnet.await("every device to apply every join", Duration.ofSeconds(60),
                () -> net.operations() == 12 && sim.all().stream().allMatch(d -> d.agent().seq() == 12));
        List<SimulatedDevices.Device> orphans = sim.all().stream().filter(d -> d.agent().gatewayId() == 2).toList();
        assertFalse(orphans.isEmpty());
        // what gateway 2 knows of its devices' link keys (it computed them): a captured gateway 2 has these
        Map<KeyId, byte[]> known = new TreeMap<>();
        for (SimulatedDevices.Device d : orphans) {
            for (KeyId id : d.agent().keyIds()) {
                if (id.kind() != chainkm.protocol.keys.KeyKind.NODE_KEY) {
                    known.put(id, d.agent().keyForTests(id).orElseThrow().key());
                }
            }
        }

        net.net.kill(2);
        RunningTestnet.await("gateway 2's devices to rejoin gateway 3", Duration.ofSeconds(30),
                () -> orphans.stream().allMatch(d -> d.agent().attachedGateway() == 3));
        int exit = new CommandLine(new ChainkmCli()).execute("remove-gateway", "--dir", dir.toString(), "--gateway", "2");
        assertEquals(0, exit, "remove-gateway failed");
        RunningTestnet.await("the adoption to be a key operation everybody applies", Duration.ofSeconds(60),
                () -> net.operations() == 13 && sim.all().stream().allMatch(d -> d.agent().seq() == 13));
        RunningTestnet.await("gateway 2's validator to leave the validator set", Duration.ofSeconds(30),
                () -> {
                    try {
                        return validators(1) == 3;
                    } catch (Exception e) {
                        return false;
                    }
                });
        SetLayout layout = net.layout(1);
        assertTrue(layout.setsOwnedBy(2).isEmpty(), "gateway 2 owns no set any more");
        for (SimulatedDevices.Device d : orphans) {
            assertEquals(3, layout.ownerOf(d.agent().setId()), d.name() + "'s set was adopted by gateway 3");
            assertEquals(3, d.agent().gatewayId());
            for (KeyId id : d.agent().keyIds()) {
                byte[] old = known.get(id);
                assertFalse(old != null && java.util.Arrays.equals(old, d.agent().keyForTests(id).orElseThrow().key()),
                        d.name() + " still uses " + id + " as gateway 2 knew it");
            }
        }
        D2DChecks.everyPairExchanges(sim.all(), "after-adoption");

        // keying goes on for the adopted sets: a join, and an evict of an adopted device by its new owner (which
        // needs nobody else's signature: the adopter owns the set now)
        List<SimulatedDevices.Device> more = new ArrayList<>();
        more.add(sim.startOne("g-late", 1));
        SimulatedDevices.Device leaver = orphans.get(0);
        JsonNode left = net.submit(3, "evict", "commit", leaver.node(), false);
        assertEquals("committed", left.path("status").asText(), left.toString());
        sim.stop(leaver.name());
        RunningTestnet.await("every device to apply the join and the evict", Duration.ofSeconds(60),
                () -> net.operations() == 15 && sim.all().stream().allMatch(d -> d.agent().seq() == 15));
        D2DChecks.everyPairExchanges(sim.all(), "after-more-operations");

        // gateway 2 comes back: it takes back nothing, serves nobody, and its submissions are refused
        net.net.startGateway(2, List.of());
        RunningTestnet.await("gateway 2 to catch up with the chain", Duration.ofSeconds(120), () -> {
            JsonNode s = net.net.status(2);
            return s != null && s.path("key_seq").asLong() == 15;
        });
        JsonNode status = net.net.status(2);
        assertEquals(0, status.path("attached_devices").asInt(), status.toString());
        JsonNode inventory = net.net.client(2).inventory(Duration.ofSeconds(30));
        assertEquals(0, inventory.path("keys").size(), "gateway 2 holds no link key: " + inventory);
        assertEquals(0, inventory.path("devices").size());
        JsonNode refused = net.submit(2, "join", "commit", null, false);
        assertEquals(TxCode.UNKNOWN_GATEWAY.code(), refused.path("code").asInt(), refused.toString());
        assertEquals(15, net.operations());
    }
}
