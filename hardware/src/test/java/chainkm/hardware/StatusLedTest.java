package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.agent.AgentListener.State;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusLedTest {
    private final Board board = Board.of(Board.mockContext(), true);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final DigitalOutput out = board.output("led", 17);
    private final List<DigitalState> changes = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        scheduler.shutdownNow();
        board.close();
    }

    @Test
    void everyStateTheBoardShowsHasItsOwnPattern() {
        Set<StatusLed.Pattern> seen = new HashSet<>();
        for (State s : List.of(State.JOINING, State.JOINED, State.REKEYING, State.SLEEPING, State.REJOINING,
                State.LEFT, State.ERROR)) {
            assertTrue(seen.add(StatusLed.PATTERNS.get(s)), s + " looks like another state");
        }
    }

    @Test
    void joiningBlinksJoinedIsSteadyOnLeftIsOff() throws Exception {
        out.addListener((DigitalStateChangeListener) e -> changes.add(e.state()));
        try (StatusLed led = new StatusLed(out, scheduler)) {
            Thread.sleep(700); // JOINING: 100 ms on, 100 ms off
            long toggles = changes.size();
            assertTrue(toggles >= 4, "joining blinks: " + changes);

            led.show(State.JOINED);
            Thread.sleep(50);
            assertEquals(DigitalState.HIGH, out.state());
            int before = changes.size();
            Thread.sleep(400);
            assertEquals(before, changes.size(), "joined is steady");
            assertEquals(DigitalState.HIGH, out.state());

            led.flashRekey();
            assertEquals(StatusLed.PATTERNS.get(State.REKEYING), led.playing());
            Thread.sleep(1400);
            assertEquals(StatusLed.PATTERNS.get(State.JOINED), led.playing(), "back to the state's pattern");
            assertEquals(DigitalState.HIGH, out.state());

            led.show(State.LEFT);
            assertEquals(DigitalState.LOW, out.state());
        }
    }
}
