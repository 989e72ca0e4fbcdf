package chainkm.testbed.dashboard;

import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;

/** Logs what the simulated devices' agents report of themselves: their protocol events, and entering ERROR. */
final class DeviceEvents implements AgentListener {
    private final EventLog events;

    DeviceEvents(EventLog events) {
        this.events = events;
    }

    @Override
    public void event(DeviceAgent agent, Event event, String detail) {
        events.add(EventLog.Source.DEVICE, event.name().toLowerCase(), agent.name(), Agents.nodeOf(agent),
                Agents.gatewayOf(agent), detail);
    }

    @Override
    public void state(DeviceAgent agent, State state) {
        if (state == State.ERROR) {
            events.add(EventLog.Source.DEVICE, "error", agent.name(), Agents.nodeOf(agent), Agents.gatewayOf(agent),
                    "the agent is in state ERROR");
        }
    }
}
