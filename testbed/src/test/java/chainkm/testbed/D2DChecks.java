package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** D2D assertions shared by the availability ITs. */
final class D2DChecks {
    private D2DChecks() {}

    /** Every ordered pair of {@code all} sends one message; each receiver gets all of them, intact, and refuses none. */
    static void everyPairExchanges(List<SimulatedDevices.Device> all, String round) throws Exception {
        all.forEach(d -> d.inbox().clear());
        long[] refusedBefore = all.stream().mapToLong(d -> d.agent().refusedD2D()).toArray();
        for (SimulatedDevices.Device x : all) {
            for (SimulatedDevices.Device y : all) {
                if (x != y) {
                    x.agent().send(y.node(), y.agent().d2dAddress(), (round + ":" + x.node() + "->" + y.node())
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        RunningTestnet.await("every device to receive a message from every other (" + round + ")", Duration.ofSeconds(60),
                () -> all.stream().allMatch(d -> d.inbox().size() >= all.size() - 1));
        for (int i = 0; i < all.size(); i++) {
            SimulatedDevices.Device y = all.get(i);
            for (SimulatedDevices.Received r : y.inbox()) {
                assertEquals(round + ":" + r.from() + "->" + y.node(), r.text());
            }
            assertEquals(refusedBefore[i], y.agent().refusedD2D(), y.name() + " refused a legitimate message");
        }
    }
}
