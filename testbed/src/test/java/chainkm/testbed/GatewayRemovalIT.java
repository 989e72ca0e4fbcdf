package chainkm.testbed;

import static chainkm.testbed.D2DChecks.everyPairExchanges;
import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import chainkm.device.agent.AgentListener;
import chainkm.device.keys.DeviceKeys;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Issue 4, the gateway set: gateway 2 dies, its devices rejoin gateway 3, and the consortium
 * removes gateway 2 with `bin/chainkm remove-gateway` (a quorum-signed transaction). Its
 * validator leaves the validator set; gateway 3 adopts its sets and renews every key gateway 2
 * knew, so a captured gateway 2 holds nothing of use; keying goes on for the adopted devices;
 * and when gateway 2 comes back it owns nothing, serves nobody and can no longer submit.
 *
 * <p>Issue 11: before the removal, gateway 3, which the orphans rejoined, tries to take one of
 * them over with what its own home holds (its signing key, the attachment key it handed out,
 * its broker account): a rekey of the device's set, and adoptions without the committed
 * removal's proof. The device refuses each with a log line and keeps every key; the genuine
 * adoption, which carries the removal's co-signatures, is accepted.
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

    private final List<ILoggingEvent> logs = new CopyOnWriteArrayList<>();

    /** Every key byte, the seq, the set and the owner. */
    private static String snapshot(SimulatedDevices.Device d) {
        StringBuilder b = new StringBuilder("seq " + d.agent().seq() + " set " + d.agent().setId() + " owner "
                + d.agent().gatewayId());
        for (KeyId id : d.agent().keyIds()) {
            b.append(' ').append(id).append('=').append(HexFormat.of().formatHex(d.agent().keyForTests(id).orElseThrow().key()));
        }
        return b.toString();
    }

    /** Refusals the device logged on its MQTT thread (Paho names it after the client id). */
    private long refusals(SimulatedDevices.Device d, String reason) {
        return logs.stream().filter(e -> e.getThreadName().endsWith(": node-" + d.node()))
                .filter(e -> e.getFormattedMessage().contains("refused") && e.getFormattedMessage().contains(reason))
                .count();
    }

    private void attack(GatewayAttacker attacker, SimulatedDevices.Device victim, String what, String topic, byte[] message,
                        String reason) throws Exception {
        String before = snapshot(victim);
        long seen = refusals(victim, reason);
        attacker.publish(topic, message);
        RunningTestnet.await(victim.name() + " to refuse " + what, Duration.ofSeconds(30),
                () -> refusals(victim, reason) > seen);
        assertEquals(before, snapshot(victim), what + " changed the device's keys");
    }

    private void tryToTakeOver(SimulatedDevices.Device victim) throws Exception {
        Logger deviceKeys = (Logger) LoggerFactory.getLogger(DeviceKeys.class);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                logs.add(e);
            }
        };
        appender.start();
        deviceKeys.addAppender(appender);
        // attached once its rejoin is over: subscribed to its topics on gateway 3's broker
        RunningTestnet.await(victim.name() + " to be attached to gateway 3", Duration.ofSeconds(30),
                () -> victim.agent().attachedGateway() == 3 && victim.agent().state() == AgentListener.State.JOINED);
        int node = victim.node();
        int set = victim.agent().setId();
        long seq = victim.agent().seq();
        byte[] refresh = new byte[16];
        try (GatewayAttacker three = new GatewayAttacker(dir.resolve(net.net.layout().gateway(3).home()), 3)) {
            byte[] attachment = three.attachmentKey(node);
            byte[] chosen = new byte[16];
            List<KeyUpdate> fullState = List.of(KeyUpdate.wipe(), KeyUpdate.set(set),
                    KeyUpdate.put(KeyId.nodeKey(node), attachment, false), KeyUpdate.put(KeyId.setKey(set), chosen, false));
            // a rekey of the device's set by a gateway that does not own it, validly signed by that gateway
            attack(three, victim, "a rekey from a gateway that does not own its set", Topics.set(set),
                    three.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 3, seq + 1, set, Operation.JOIN, 999, set,
                            refresh, List.of()), List.of(KeyUpdate.put(KeyId.setKey(set), chosen, false)), chosen),
                    "gateway 2 owns this device's set");
            // an adoption under the attachment key it handed out, as before issue 11: no proof
            attack(three, victim, "a forged adoption without proof", Topics.node(node),
                    three.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 3, seq + 3, node, Operation.REMOVE_GATEWAY,
                            2, 3, refresh, List.of()), fullState, attachment),
                    "gateway 2 owns this device's set");
            // the same with a removal of gateway 2 that only gateway 3 signed
            byte[] ownRemoval = LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, 2, 0, new byte[32], refresh), 3,
                    Cosignatures.extension(List.of()), three.signingKey()).encode();
            attack(three, victim, "a forged adoption with a removal only gateway 3 signed", Topics.node(node),
                    three.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 3, seq + 3, node, Operation.REMOVE_GATEWAY,
                            2, 3, refresh, List.of(), List.of(ownRemoval)), fullState, attachment),
                    "signed by 1 of the 3");
        } finally {
            deviceKeys.detachAppender(appender);
        }
        assertEquals(2, victim.agent().gatewayId(), "gateway 2 still owns the victim's set");
        assertEquals(seq, victim.agent().seq());
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
    void gatewayThreeCannotTakeOverADeviceThatRejoinedIt() throws Exception {
        tryToTakeOver(orphans.get(0));
    }

    @Test
    @Order(3)
    void theRemovalIsAKeyOperationEveryDeviceApplies() throws Exception {
        int exit = new CommandLine(new ChainkmCli()).execute("remove-gateway", "--dir", dir.toString(), "--gateway", "2");
        assertEquals(0, exit, "remove-gateway failed");
        awaitLedgerAndEveryDeviceAtSeq(13, Duration.ofSeconds(60));
    }

    @Test
    @Order(4)
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
    @Order(5)
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
    @Order(6)
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
    @Order(7)
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
