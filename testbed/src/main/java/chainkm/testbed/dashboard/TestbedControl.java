package chainkm.testbed.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the dashboard shows and what its controls do, behind its JSON API. {@link LiveTestbed}
 * implements it over a running testnet and its simulated devices.
 *
 * <p>Errors: {@link java.util.NoSuchElementException} for an unknown gateway or device,
 * {@link IllegalArgumentException} for a bad request, {@link IllegalStateException} when the
 * control does not apply now (a gateway already running, a refused eviction),
 * {@link UnsupportedOperationException} when the agent does not support it yet.
 */
public interface TestbedControl {

    /** Everything the page shows but the event log (see the README for its fields). */
    ObjectNode state();

    EventLog events();

    ObjectNode stopGateway(int id) throws Exception;

    ObjectNode startGateway(int id) throws Exception;

    ObjectNode moveDevice(String name, int gateway) throws Exception;

    ObjectNode sleepDevice(String name) throws Exception;

    ObjectNode wakeDevice(String name) throws Exception;

    ObjectNode leaveDevice(String name) throws Exception;

    ObjectNode evictDevice(String name) throws Exception;

    ObjectNode addDevices(int count) throws Exception;
}
