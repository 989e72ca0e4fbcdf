package chainkm.device.agent;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An agent's state and what it tells its {@link AgentListener}s: each state change and protocol event. */
final class AgentEvents {
    private final DeviceAgent agent;
    private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
    private volatile AgentListener.State state = AgentListener.State.JOINING;

    AgentEvents(DeviceAgent agent) {
        this.agent = agent;
    }

    /** Adds a listener and tells it the current state at once. */
    void add(AgentListener l) {
        listeners.add(l);
        l.state(agent, state);
    }

    AgentListener.State state() {
        return state;
    }

    void setState(AgentListener.State s) {
        if (state != s) {
            state = s;
            for (AgentListener l : listeners) {
                l.state(agent, s);
            }
        }
    }

    void emit(AgentListener.Event e, String detail) {
        for (AgentListener l : listeners) {
            l.event(agent, e, detail);
        }
    }
}
