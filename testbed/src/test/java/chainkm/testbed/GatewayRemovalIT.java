package chainkm.testbed;

import static chainkm.testbed.D2DChecks.everyPairExchanges;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 4, the gateway set: gateway 2 dies, its devices rejoin gateway 3, and the consortium
 * removes gateway 2 with `bin/chainkm remove-gateway` (a quorum-signed transaction). Its
 * validator leaves the validator set; gateway 3 adopts its sets and renews every key gateway 2
 * knew, so a captured gateway 2 holds nothing of use; keying goes on for the adopted devices;
 * and when gateway 2 comes back it owns nothing, serves nobody and can no longer submit.
 */
class GatewayRemovalIT extends ScenarioIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private List<SimulatedDevices.Device> orphans;
    /** What gateway 2 knows of its devices' link keys (it computed them): a captured gateway 2 has these. */
    private final Map<KeyId, byte[]> known = new TreeMap<>();

    private int validators(int gateway) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + net.net.layout().gateway(gateway).rpcPort() + "/validators")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("result").path("total").asInt();
    }

    @BeforeAll
    void twelveDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.none(dir);
        sim.orphanAfter(Duration.ofSeconds(3));
        sim.add("g", 1, 12);
        awaitLedgerAndEveryDeviceAtSeq(12, Duration.ofSeconds(60));
        orphans = sim.all().stream().filter(d -> d.agent().gatewayId() == 2).toList();
        for (SimulatedDevices.Device d : orphans) {
            for (KeyId id : d.agent().keyIds()) {
                if (id.kind() != KeyKind.NODE_KEY) {
                    known.put(id, d.agent().keyForTests(id).orElseThrow().key());
                }
            }
        }
    }

    @Test
    @Order(1)
    void theDeadGatewaysDevicesRejoinGatewayThree() throws Exception {
        assertFalse(orphans.isEmpty());
        net.net.kill(2);
        RunningTestnet.await("gateway 2's devices to rejoin gateway 3", Duration.ofSeconds(30),
                () -> orphans.stream().allMatch(d -> d.agent().attachedGateway() == 3));
    }

    @Test
    @Order(2)
    void theRemovalIsAKeyOperationEveryDeviceApplies() throws Exception {
        int exit = new CommandLine(new ChainkmCli()).execute("remove-gateway", "--dir", dir.toString(), "--gateway", "2");
        assertEquals(0, exit, "remove-gateway failed");
        awaitLedgerAndEveryDeviceAtSeq(13, Duration.ofSeconds(60));
    }

    @Test
    @Order(3)
    void theRemovedGatewaysValidatorLeavesTheValidatorSet() throws Exception {
        RunningTestnet.await("gateway 2's validator to leave the validator set", Duration.ofSeconds(30),
                () -> {
                    try {
                        return validators(1) == 3;
                    } catch (Exception e) {
                        return false;
                    }
                });
    }

    @Test
    @Order(4)
    void gatewayThreeAdoptsItsSetsAndRenewsEveryKeyItKnew() throws Exception {
        SetLayout layout = net.layout(1);
        assertTrue(layout.setsOwnedBy(2).isEmpty(), "gateway 2 owns no set any more");
        for (SimulatedDevices.Device d : orphans) {
            assertEquals(3, layout.ownerOf(d.agent().setId()), d.name() + "'s set was adopted by gateway 3");
            assertThat(d).isOwnedBy(3);
            for (KeyId id : d.agent().keyIds()) {
                byte[] old = known.get(id);
                assertFalse(old != null && Arrays.equals(old, d.agent().keyForTests(id).orElseThrow().key()),
                        d.name() + " still uses " + id + " as gateway 2 knew it");
            }
        }
        everyPairExchanges(sim.all(), "after-adoption");
    }

    @Test
    @Order(5)
    void keyingGoesOnForTheAdoptedSets() throws Exception {
        // a join, and an evict of an adopted device by its new owner (which needs nobody else's
        // signature: the adopter owns the set now)
        sim.startOne("g-late", 1);
        SimulatedDevices.Device leaver = orphans.get(0);
        assertThat(net.evict(3, leaver.node()).commit()).isCommitted();
        sim.stop(leaver.name());
        awaitLedgerAndEveryDeviceAtSeq(15, Duration.ofSeconds(60));
        everyPairExchanges(sim.all(), "after-more-operations");
    }

    @Test
    @Order(6)
    void theReturningGatewayOwnsNothingServesNobodyAndCanNoLongerSubmit() throws Exception {
        net.net.startGateway(2, List.of());
        net.awaitKeySeq(List.of(2), 15, Duration.ofSeconds(120));
        JsonNode status = net.net.status(2);
        assertEquals(0, status.path("attached_devices").asInt(), status.toString());
        JsonNode inventory = net.net.client(2).inventory(Duration.ofSeconds(30));
        assertEquals(0, inventory.path("keys").size(), "gateway 2 holds no link key: " + inventory);
        assertEquals(0, inventory.path("devices").size());
        assertThat(net.join(2).commit()).hasCode(TxCode.UNKNOWN_GATEWAY.code());
        assertEquals(15, net.operations());
    }
}
