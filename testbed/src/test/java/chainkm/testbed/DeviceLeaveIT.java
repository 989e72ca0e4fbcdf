package chainkm.testbed;

import static chainkm.testbed.D2DChecks.awaitReceived;
import static chainkm.testbed.D2DChecks.send;
import static chainkm.testbed.DeviceAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.Provisioner;
import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.device.agent.Provisioning;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, a device leaves by itself: it asks its gateway ({@code POST /leave}), the LEAVE is
 * committed, its keys are wiped and it says LEFT. A device that asks its gateway to remove
 * another device is refused, and the ledger keeps both.
 */
class DeviceLeaveIT extends ScenarioIT {
    /** A and B share gateway 1; C is on gateway 2. A is the one that attacks B, then leaves. */
    private SimulatedDevices.Device a;
    private SimulatedDevices.Device b;
    private SimulatedDevices.Device c;
    /** The agreed height and app hash before A leaves. */
    private String beforeTheLeave;

    /** The identity key in the device's own state directory: what an attacker holding that device has. */
    private Ed25519.KeyPair identityKeyOf(SimulatedDevices.Device d) throws Exception {
        return Ed25519.KeyPair.fromPrivateKey(Files.readAllBytes(sim.stateDir(d.name()).resolve(DeviceAgent.IDENTITY_KEY_FILE)));
    }

    private GatewayCoapClient clientAs(SimulatedDevices.Device d) throws Exception {
        int g = d.agent().gatewayId();
        Provisioning.Gateway gateway = Provisioner.gateways(dir, g).get(0);
        return new GatewayCoapClient(gateway.coap(), identityKeyOf(d), gateway.signingKey(), Duration.ofSeconds(20));
    }

    @BeforeAll
    void threeDevicesOnTwoGateways() throws Exception {
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "l", 3); // l1 and l3 on gateway 1, l2 on gateway 2
        a = sim.get("l1");
        b = sim.get("l3");
        c = sim.get("l2");
        net.awaitSameAppHash(Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void aDeviceCannotAskItsGatewayToRemoveAnother() throws Exception {
        assertEquals(a.agent().gatewayId(), b.agent().gatewayId());
        // the attack: A, authenticated as itself, asks its gateway to remove B
        try (GatewayCoapClient asA = clientAs(a)) {
            LeaveRequest forB = LeaveRequest.sign(a.name(), b.node(), identityKeyOf(a));
            GatewayResponseException refused = assertThrows(GatewayResponseException.class, () -> asA.leave(forB));
            assertEquals("4.03", refused.responseCode());
            assertTrue(refused.diagnostic().contains("may only ask to leave for itself"), refused.diagnostic());
        }
        beforeTheLeave = net.awaitSameAppHash(Duration.ofSeconds(30));
        for (int g : net.ids()) {
            assertTrue(net.members(g).containsAll(List.of(a.node(), b.node(), c.node())));
        }
    }

    @Test
    @Order(2)
    void aDeviceLeavesByItselfAndItsKeysAreWiped() throws Exception {
        List<AgentListener.State> states = new CopyOnWriteArrayList<>();
        List<AgentListener.Event> events = new CopyOnWriteArrayList<>();
        a.agent().addListener(new AgentListener() {
            @Override
            public void state(DeviceAgent agent, State state) {
                states.add(state);
            }

            @Override
            public void event(DeviceAgent agent, Event event, String detail) {
                events.add(event);
            }
        });
        int leaver = a.node();
        a.agent().leave();
        assertThat(a).hasLeft();
        assertEquals(AgentListener.State.LEFT, states.get(states.size() - 1));
        assertTrue(events.contains(AgentListener.Event.LEFT), events.toString());
        Path state = sim.stateDir("l1");
        assertFalse(Files.exists(state.resolve("keys.store")), "the key store is wiped");
        assertFalse(Files.exists(state.resolve("rejoin.seed")), "the rejoin seed is wiped");
        assertNotEquals(beforeTheLeave, net.awaitSameAppHash(Duration.ofSeconds(30)));
        for (int g : net.ids()) {
            assertFalse(net.members(g).contains(leaver), "gateway " + g + " still lists the leaver");
            assertTrue(net.members(g).containsAll(List.of(b.node(), c.node())));
        }
    }

    @Test
    @Order(3)
    void theOthersStillTalkUnderKeysRenewedWithoutTheLeaver() throws Exception {
        awaitAtSeq(4, Duration.ofSeconds(30), b, c);
        send(b, c, "after the leave");
        awaitReceived(c, b.node(), "after the leave", Duration.ofSeconds(20));
    }
}
