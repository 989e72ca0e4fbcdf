package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;

/**
 * Checks of one simulated device, in the manner of Leshan's {@code assertThat(client).isRegisteredAt(server)}:
 * {@code assertThat(device).because("a rejoin rekeys nobody").isAtSeq(24)}. Each failure names the device.
 */
final class DeviceAssert {
    private final SimulatedDevices.Device device;
    private final String because;

    private DeviceAssert(SimulatedDevices.Device device, String because) {
        this.device = device;
        this.because = because;
    }

    static DeviceAssert assertThat(SimulatedDevices.Device device) {
        return new DeviceAssert(device, null);
    }

    /** Why the next checks must hold, for their failure messages. */
    DeviceAssert because(String reason) {
        return new DeviceAssert(device, reason);
    }

    private String says(String what) {
        return device.name() + " " + what + (because == null ? "" : " (" + because + ")");
    }

    private DeviceAgent agent() {
        return device.agent();
    }

    /** Has applied exactly {@code seq} key operations. */
    DeviceAssert isAtSeq(long seq) {
        assertEquals(seq, agent().seq(), says("is at seq"));
        return this;
    }

    DeviceAssert isAttachedTo(int gateway) {
        assertEquals(gateway, agent().attachedGateway(), says("is attached to gateway"));
        return this;
    }

    DeviceAssert isNotAttachedTo(int gateway) {
        assertNotEquals(gateway, agent().attachedGateway(), says("is attached to gateway"));
        return this;
    }

    /** Its set is owned by {@code gateway} (the gateway it joined, or the one that adopted its set). */
    DeviceAssert isOwnedBy(int gateway) {
        assertEquals(gateway, agent().gatewayId(), says("is owned by gateway"));
        return this;
    }

    DeviceAssert hasRefusedNoD2DMessage() {
        assertEquals(0, agent().refusedD2D(), says("refused D2D messages"));
        return this;
    }

    DeviceAssert hasLeft() {
        assertEquals(AgentListener.State.LEFT, agent().state(), says("is in state"));
        return this;
    }

    /** Holds no pairwise node key shared with {@code node}. */
    DeviceAssert holdsNoKeyWith(int node) {
        for (KeyId id : agent().keyIds()) {
            assertFalse(id.kind() == KeyKind.PAIRWISE_NODE_KEY && id.involvesNode(node),
                    says("still holds " + id + " with node " + node));
        }
        return this;
    }

    /**
     * Holds the key of its link with {@code peer} (their pairwise node key in one set, their sets'
     * pairwise set key otherwise), equal to the peer's.
     */
    DeviceAssert sharesItsLinkKeyWith(SimulatedDevices.Device peer) {
        DeviceAgent other = peer.agent();
        KeyId link = agent().setId() == other.setId()
                ? KeyId.pairwiseNodeKey(device.node(), peer.node())
                : KeyId.pairwiseSetKey(agent().setId(), other.setId());
        assertTrue(agent().keyIds().contains(link), says("has no key for the link with " + peer.name()));
        assertArrayEquals(other.keyForTests(link).orElseThrow().key(), agent().keyForTests(link).orElseThrow().key(),
                says("differs from " + peer.name() + " on link " + link));
        return this;
    }
}
