package chainkm.testbed;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The words the testnet ITs are written in: a running testnet and its simulated devices, and
 * waits for what they do (each polls until a deadline and fails naming what it awaited and what
 * it saw last). {@link TestnetIT} gives each test its own testnet, {@link SharedTestnetIT} one
 * to a class, {@link ScenarioIT} one to the steps of a story.
 */
abstract class TestnetVocabulary {
    RunningTestnet net;
    SimulatedDevices sim;

    /** Waits until every simulated device has applied exactly {@code seq} key operations. */
    void awaitEveryDeviceAtSeq(long seq, Duration timeout) throws InterruptedException {
        RunningTestnet.await("every device to apply " + seq + " key operations", timeout,
                () -> notAt(seq, sim.all()), String::isEmpty);
    }

    /** Waits until each of {@code devices} has applied exactly {@code seq} key operations. */
    static void awaitAtSeq(long seq, Duration timeout, SimulatedDevices.Device... devices) throws InterruptedException {
        List<SimulatedDevices.Device> these = List.of(devices);
        RunningTestnet.await(these.stream().map(SimulatedDevices.Device::name).collect(Collectors.joining(", "))
                + " to apply " + seq + " key operations", timeout, () -> notAt(seq, these), String::isEmpty);
    }

    /** Waits until the ledger holds exactly {@code seq} key operations and every device has applied them all. */
    void awaitLedgerAndEveryDeviceAtSeq(long seq, Duration timeout) throws InterruptedException {
        RunningTestnet.await("the ledger and every device at seq " + seq, timeout, () -> {
            long ops = net.operations();
            return (ops == seq ? "" : "ledger at " + ops + "; ") + notAt(seq, sim.all());
        }, String::isEmpty);
    }

    /** Waits until every device has applied every key operation on the ledger, however many that is. */
    void awaitEveryDeviceAtLedgerSeq(Duration timeout) throws InterruptedException {
        RunningTestnet.await("every device to apply every ledger operation", timeout, () -> {
            long ops = net.operations();
            String behind = notAt(ops, sim.all());
            return behind.isEmpty() ? "" : "ledger at " + ops + "; " + behind;
        }, String::isEmpty);
    }

    /** Waits until the ledger has each of {@code devices} attached where the device says it is: their REJOINs are committed. */
    void awaitAttachmentsOnLedger(List<SimulatedDevices.Device> devices, Duration timeout) throws InterruptedException {
        RunningTestnet.await("the ledger to attach each device where it is attached", timeout, () -> devices.stream()
                .filter(d -> net.node(d.node()).attachedGateway() != d.agent().attachedGateway())
                .map(d -> d.name() + " at gateway " + d.agent().attachedGateway())
                .collect(Collectors.joining(", ")), String::isEmpty);
    }

    /** Those of {@code devices} not at {@code seq}, with theirs ("" when every one is there). */
    private static String notAt(long seq, List<SimulatedDevices.Device> devices) {
        return devices.stream().filter(d -> d.agent().seq() != seq).map(d -> d.name() + " at " + d.agent().seq())
                .collect(Collectors.joining(", "));
    }

    /** Stops the devices, then the testnet (every process), even when a test failed. */
    void stopDevicesAndTestnet() {
        try {
            if (sim != null) {
                sim.close();
            }
        } finally {
            sim = null;
            try {
                if (net != null) {
                    net.close();
                }
            } finally {
                net = null;
            }
        }
    }
}
