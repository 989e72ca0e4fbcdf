package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.Provisioner;
import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.Credentials;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, a device leaves by itself: it asks its gateway ({@code POST /leave}), the LEAVE is
 * committed, its keys are wiped and it says LEFT. A device that asks its gateway to remove
 * another device is refused, and the ledger keeps both.
 */
class DeviceLeaveIT extends TestnetIT {
    private GatewayCoapClient clientAs(SimulatedDevices.Device d) throws Exception {
        DeviceAgent a = d.agent();
        byte[] nodeKey = a.keyForTests(KeyId.nodeKey(a.nodeId())).orElseThrow().key();
        InetSocketAddress gateway = Provisioner.provision(dir, "any", a.gatewayId()).gateway(a.gatewayId()).coap();
        return new GatewayCoapClient(gateway, "node-" + a.nodeId(), Credentials.dtlsPsk(nodeKey), Duration.ofSeconds(20));
    }

    @Test
    void aDeviceLeavesByItselfAndCannotRemoveAnother() throws Exception {
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "l", 3); // l1 and l3 on gateway 1, l2 on gateway 2
        SimulatedDevices.Device a = sim.get("l1");
        SimulatedDevices.Device b = sim.get("l3");
        SimulatedDevices.Device c = sim.get("l2");
        assertEquals(a.agent().gatewayId(), b.agent().gatewayId());
        net.awaitSameAppHash(net.ids(), Duration.ofSeconds(30));

        // the attack: A, authenticated as itself, asks its gateway to remove B
        try (GatewayCoapClient asA = clientAs(a)) {
            GatewayResponseException refused = assertThrows(GatewayResponseException.class, () -> asA.leave(b.node()));
            assertEquals("4.03", refused.responseCode());
            assertTrue(refused.diagnostic().contains("may only ask to leave for itself"), refused.diagnostic());
        }
        String before = net.awaitSameAppHash(net.ids(), Duration.ofSeconds(30));
        for (int g : net.ids()) {
            assertTrue(net.members(g).containsAll(List.of(a.node(), b.node(), c.node())));
        }

        // A leaves by itself
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
        assertEquals(AgentListener.State.LEFT, a.agent().state());
        assertEquals(AgentListener.State.LEFT, states.get(states.size() - 1));
        assertTrue(events.contains(AgentListener.Event.LEFT), events.toString());
        Path state = sim.stateDir("l1");
        assertFalse(Files.exists(state.resolve("keys.store")), "the key store is wiped");
        assertFalse(Files.exists(state.resolve("rejoin.seed")), "the rejoin seed is wiped");
        assertFalse(before.equals(net.awaitSameAppHash(net.ids(), Duration.ofSeconds(30))));
        for (int g : net.ids()) {
            assertFalse(net.members(g).contains(leaver), "gateway " + g + " still lists the leaver");
            assertTrue(net.members(g).containsAll(List.of(b.node(), c.node())));
        }

        // the others still talk, under keys renewed without the leaver
        RunningTestnet.await("B and C to apply the leave", Duration.ofSeconds(30),
                () -> b.agent().seq() == 4 && c.agent().seq() == 4);
        b.agent().send(c.node(), c.agent().d2dAddress(), "after the leave".getBytes(StandardCharsets.UTF_8));
        RunningTestnet.await("C to receive B's message", Duration.ofSeconds(20),
                () -> c.inbox().stream().anyMatch(r -> r.from() == b.node() && r.text().equals("after the leave")));
    }
}
