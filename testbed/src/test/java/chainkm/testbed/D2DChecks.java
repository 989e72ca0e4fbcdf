package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** D2D messages between simulated devices, and the checks the ITs make of them. */
final class D2DChecks {
    private D2DChecks() {}

    /** {@code from} sends {@code text} to {@code to}, under their current link key. */
    static void send(SimulatedDevices.Device from, SimulatedDevices.Device to, String text) throws IOException {
        from.agent().send(to.node(), to.agent().d2dAddress(), text.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until {@code to} has received {@code text} from node {@code from}. */
    static void awaitReceived(SimulatedDevices.Device to, int from, String text, Duration timeout)
            throws InterruptedException {
        RunningTestnet.await(to.name() + " to receive \"" + text + "\" from node " + from + " (seen: its inbox)", timeout,
                () -> List.copyOf(to.inbox()), inbox -> inbox.stream().anyMatch(r -> r.from() == from && r.text().equals(text)));
    }

    /** Every ordered pair of {@code all} sends one message; each receiver gets all of them, intact, and refuses none. */
    static void everyPairExchanges(List<SimulatedDevices.Device> all, String round) throws Exception {
        all.forEach(d -> d.inbox().clear());
        long[] refusedBefore = all.stream().mapToLong(d -> d.agent().refusedD2D()).toArray();
        for (SimulatedDevices.Device x : all) {
            for (SimulatedDevices.Device y : all) {
                if (x != y) {
                    send(x, y, round + ":" + x.node() + "->" + y.node());
                }
            }
        }
        RunningTestnet.await("every device to receive a message from every other (" + round + ")", Duration.ofSeconds(60),
                () -> all.stream().filter(d -> d.inbox().size() < all.size() - 1)
                        .map(d -> d.name() + " has " + d.inbox().size()).toList(), List::isEmpty);
        for (int i = 0; i < all.size(); i++) {
            SimulatedDevices.Device y = all.get(i);
            for (SimulatedDevices.Received r : y.inbox()) {
                assertEquals(round + ":" + r.from() + "->" + y.node(), r.text());
            }
            assertEquals(refusedBefore[i], y.agent().refusedD2D(), y.name() + " refused a legitimate message");
        }
    }
}
