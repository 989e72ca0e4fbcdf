package chainkm.device.agent;

/**
 * What a device agent tells the outside (a board's status LED, a dashboard, a log): its state
 * and the protocol events it goes through. Called on the agent's threads; keep it quick.
 */
public interface AgentListener {

    /** The agent's state, shown on the board's status LED. */
    enum State { JOINING, JOINED, REKEYING, SLEEPING, REJOINING, LEFT, ERROR }

    /** Protocol events, named as in the event log of the dashboard and the README. */
    enum Event { JOINED, REKEYED, CAUGHT_UP, REJOINED, MOVED, SLEPT, WOKE, LEFT, REFUSED_D2D, GATEWAY_LOST, RETURNED }

    default void state(DeviceAgent agent, State state) {}

    /** {@code detail} is a short human-readable line, never key bytes. */
    default void event(DeviceAgent agent, Event event, String detail) {}
}
