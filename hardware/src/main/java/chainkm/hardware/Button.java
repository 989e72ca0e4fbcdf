package chainkm.hardware;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push button: a press is classified when it is released, by how long it was held:
 * short (below {@code longPress}), long (below {@code veryLongPress}) or very long. Presses
 * shorter than {@link #BOUNCE} are contact bounce and ignored.
 */
public final class Button implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Button.class);
    /** Shorter than this is not a press. */
    public static final Duration BOUNCE = Duration.ofMillis(30);

    public enum Press { SHORT, LONG, VERY_LONG }

    /** How a press held for {@code held} counts; empty (null) for a bounce. */
    public static Press classify(Duration held, Duration longPress, Duration veryLongPress) {
        if (held.compareTo(BOUNCE) < 0) {
            return null;
        }
        if (held.compareTo(veryLongPress) >= 0) {
            return Press.VERY_LONG;
        }
        return held.compareTo(longPress) >= 0 ? Press.LONG : Press.SHORT;
    }

    private final DigitalInput input;
    private final boolean activeLow;
    private final Duration longPress;
    private final Duration veryLongPress;
    private final LongSupplier nanoClock;
    private final Consumer<Press> onPress;
    private final DigitalStateChangeListener listener = e -> changed(e.state());
    private long pressedAt = -1;

    /**
     * @param nanoClock {@link System#nanoTime} on a device; a test's own clock in tests
     * @param onPress called on Pi4J's event thread: hand long work to another thread
     */
    public Button(DigitalInput input, boolean activeLow, Duration longPress, Duration veryLongPress,
                  LongSupplier nanoClock, Consumer<Press> onPress) {
        this.input = input;
        this.activeLow = activeLow;
        this.longPress = longPress;
        this.veryLongPress = veryLongPress;
        this.nanoClock = nanoClock;
        this.onPress = onPress;
        input.addListener(listener);
    }

    private void changed(DigitalState state) {
        boolean down = (state == DigitalState.LOW) == activeLow;
        Press press = null;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (down) {
                pressedAt = now;
            } else if (pressedAt >= 0) {
                press = classify(Duration.ofNanos(now - pressedAt), longPress, veryLongPress);
                pressedAt = -1;
            }
        }
        if (press != null) {
            LOG.info("button: {} press", press.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            onPress.accept(press);
        }
    }

    @Override
    public void close() {
        input.removeListener(listener);
    }
}
