package chainkm.testbed.dashboard;

import chainkm.device.agent.DeviceAgent;
import chainkm.testbed.SimulatedDevices;

/**
 * What the dashboard reads from a simulated device's agent, as null while the agent cannot say
 * yet (no node id before its join is committed, no gateway while it is detached): the page
 * shows a device at every stage, so these reads never throw.
 */
final class Agents {
    private Agents() {}

    /** The device's node id, or null before its join is committed. */
    static Integer nodeOf(DeviceAgent a) {
        try {
            return a.nodeId();
        } catch (RuntimeException e) {
            return null; // not joined yet
        }
    }

    /** The gateway the device is attached to now, or null. */
    static Integer gatewayOf(DeviceAgent a) {
        try {
            return a.attachedGateway();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The name of the simulated device with node id {@code node}, or null if none has it. */
    static String deviceOfNode(SimulatedDevices sim, int node) {
        for (SimulatedDevices.Device d : sim.all()) {
            Integer n = nodeOf(d.agent());
            if (n != null && n == node) {
                return d.name();
            }
        }
        return null;
    }
}
