package chainkm.testbed.dashboard;

import chainkm.testbed.SimulatedDevices;
import chainkm.testbed.Testnet;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The dashboard over a running testnet and its simulated devices: what {@link DashboardServer}
 * serves, put together from the {@link TestnetPoller} (which logs what changes), the
 * {@link StateView} (the page's state) and the controls ({@link GatewayControls},
 * {@link DeviceControls}, {@link JoiningDevices}).
 */
public final class LiveTestbed implements TestbedControl, AutoCloseable {
    private final EventLog events = new EventLog(5000);
    private final TestnetPoller poller;
    private final JoiningDevices joining;
    private final StateView view;
    private final GatewayControls gateways;
    private final DeviceControls devices;

    /**
     * Watches {@code net} and {@code sim} (whose devices started from now on report their events);
     * devices it adds are named {@code prefix} and a number.
     */
    public LiveTestbed(Testnet net, SimulatedDevices sim, String prefix) {
        events.nameDevicesWith(node -> Agents.deviceOfNode(sim, node));
        sim.addAgentListener(new DeviceEvents(events));
        poller = new TestnetPoller(net, sim, events);
        joining = new JoiningDevices(net, sim, poller, prefix);
        view = new StateView(net, sim, poller, events, joining);
        gateways = new GatewayControls(net, poller);
        devices = new DeviceControls(net, sim, poller);
        poller.start();
    }

    @Override
    public EventLog events() {
        return events;
    }

    @Override
    public ObjectNode state() {
        return view.toJson();
    }

    @Override
    public ObjectNode stopGateway(int id) throws Exception {
        return gateways.stop(id);
    }

    @Override
    public ObjectNode startGateway(int id) throws Exception {
        return gateways.start(id);
    }

    @Override
    public ObjectNode moveDevice(String name, int to) throws Exception {
        return devices.move(name, to);
    }

    @Override
    public ObjectNode sleepDevice(String name) {
        return devices.sleep(name);
    }

    @Override
    public ObjectNode wakeDevice(String name) throws Exception {
        return devices.wake(name);
    }

    @Override
    public ObjectNode leaveDevice(String name) throws Exception {
        return devices.leave(name);
    }

    @Override
    public ObjectNode evictDevice(String name) throws Exception {
        return devices.evict(name);
    }

    @Override
    public ObjectNode addDevices(int count) throws Exception {
        return joining.add(count);
    }

    @Override
    public void close() {
        poller.close();
        joining.close();
    }
}
