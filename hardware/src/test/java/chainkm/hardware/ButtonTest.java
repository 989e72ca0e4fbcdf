package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ButtonTest {
    private static final Duration LONG = Duration.ofMillis(1500);
    private static final Duration VERY_LONG = Duration.ofMillis(5000);

    private final Context pi4j = Board.mockContext();
    private final Board board = Board.of(pi4j, true);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Button.Press> presses = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutdown() {
        board.close();
    }

    @Test
    void pressesAreClassifiedByHowLongTheyWereHeld() {
        assertNull(Button.classify(Duration.ofMillis(5), LONG, VERY_LONG), "bounce");
        assertEquals(Button.Press.SHORT, Button.classify(Duration.ofMillis(30), LONG, VERY_LONG));
        assertEquals(Button.Press.SHORT, Button.classify(Duration.ofMillis(1499), LONG, VERY_LONG));
        assertEquals(Button.Press.LONG, Button.classify(Duration.ofMillis(1500), LONG, VERY_LONG));
        assertEquals(Button.Press.LONG, Button.classify(Duration.ofMillis(4999), LONG, VERY_LONG));
        assertEquals(Button.Press.VERY_LONG, Button.classify(Duration.ofMillis(5000), LONG, VERY_LONG));
        assertEquals(Button.Press.VERY_LONG, Button.classify(Duration.ofMinutes(2), LONG, VERY_LONG));
    }

    /** Holds the button for {@code millis} on the mock pin (active low: pressed is LOW). */
    private void hold(MockDigitalInput pin, long millis, boolean activeLow) {
        pin.mockState(activeLow ? DigitalState.LOW : DigitalState.HIGH);
        now.addAndGet(Duration.ofMillis(millis).toNanos());
        pin.mockState(activeLow ? DigitalState.HIGH : DigitalState.LOW);
    }

    @Test
    void theMockPinsStateChangesBecomeShortLongAndVeryLongPresses() {
        DigitalInput input = board.input("button", 27, true);
        MockDigitalInput pin = (MockDigitalInput) input;
        pin.mockState(DigitalState.HIGH); // released: pulled up
        try (Button button = new Button(input, true, LONG, VERY_LONG, now::get, presses::add)) {
            hold(pin, 200, true);
            hold(pin, 10, true); // bounce: nothing
            hold(pin, 2000, true);
            hold(pin, 6000, true);
            hold(pin, 1499, true);
        }
        assertEquals(List.of(Button.Press.SHORT, Button.Press.LONG, Button.Press.VERY_LONG, Button.Press.SHORT), presses);
    }

    @Test
    void anActiveHighButtonCountsHighAsPressed() {
        DigitalInput input = board.input("button", 22, false);
        MockDigitalInput pin = (MockDigitalInput) input;
        pin.mockState(DigitalState.LOW);
        try (Button button = new Button(input, false, LONG, VERY_LONG, now::get, presses::add)) {
            hold(pin, 3000, false);
        }
        assertEquals(List.of(Button.Press.LONG), presses);
    }

    @Test
    void aReleaseWithoutAPressAndPressesAfterCloseCountForNothing() {
        DigitalInput input = board.input("button", 27, true);
        MockDigitalInput pin = (MockDigitalInput) input;
        pin.mockState(DigitalState.LOW); // held down before the agent started
        Button button = new Button(input, true, LONG, VERY_LONG, now::get, presses::add);
        pin.mockState(DigitalState.HIGH);
        assertEquals(List.of(), presses);
        button.close();
        hold(pin, 200, true);
        assertEquals(List.of(), presses);
    }
}
