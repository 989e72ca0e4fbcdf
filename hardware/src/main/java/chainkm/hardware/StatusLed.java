package chainkm.hardware;

import chainkm.device.agent.AgentListener;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The status LED: one blink pattern per agent state, played in a loop by a scheduler. A rekey
 * shows the REKEYING pattern once, then the LED returns to the state's own pattern.
 */
public final class StatusLed implements AutoCloseable {

    /**
     * A pattern: durations in milliseconds, alternately on and off, starting with on; played in
     * a loop. One duration only: steady (on if it is positive, off if it is zero).
     */
    public record Pattern(List<Integer> millis) {
        public Pattern {
            millis = List.copyOf(millis);
        }

        boolean steady() {
            return millis.size() == 1;
        }

        int cycleMillis() {
            return millis.stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** The patterns: each state looks different. */
    public static final Map<AgentListener.State, Pattern> PATTERNS = patterns();

    private static Map<AgentListener.State, Pattern> patterns() {
        Map<AgentListener.State, Pattern> m = new EnumMap<>(AgentListener.State.class);
        m.put(AgentListener.State.JOINING, new Pattern(List.of(100, 100)));         // fast even blink
        m.put(AgentListener.State.JOINED, new Pattern(List.of(1)));                 // steady on
        m.put(AgentListener.State.REKEYING, new Pattern(List.of(80, 80, 80, 760))); // double flash
        m.put(AgentListener.State.SLEEPING, new Pattern(List.of(40, 2960)));        // short blip every 3 s
        m.put(AgentListener.State.REJOINING, new Pattern(List.of(500, 500)));       // slow even blink
        m.put(AgentListener.State.LEFT, new Pattern(List.of(0)));                   // off
        m.put(AgentListener.State.ERROR, new Pattern(List.of(40, 40, 40, 40, 40, 40, 600, 200))); // triple flash, long on
        return m;
    }

    private final DigitalOutput led;
    private final ScheduledExecutorService scheduler;
    private AgentListener.State state = AgentListener.State.JOINING;
    private Pattern playing;
    private int step;
    private ScheduledFuture<?> next;
    private boolean closed;

    public StatusLed(DigitalOutput led, ScheduledExecutorService scheduler) {
        this.led = led;
        this.scheduler = scheduler;
        play(PATTERNS.get(state));
    }

    /** Shows {@code s} from now on. */
    public synchronized void show(AgentListener.State s) {
        state = s;
        play(PATTERNS.get(s));
    }

    /** Plays the REKEYING pattern once, then the current state's again. */
    public synchronized void flashRekey() {
        Pattern rekey = PATTERNS.get(AgentListener.State.REKEYING);
        play(rekey);
        scheduler.schedule(() -> {
            synchronized (this) {
                if (playing == rekey) {
                    play(PATTERNS.get(state));
                }
            }
        }, rekey.cycleMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized AgentListener.State state() {
        return state;
    }

    /** The pattern the LED plays now. */
    public synchronized Pattern playing() {
        return playing;
    }

    private void play(Pattern p) {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        playing = p;
        step = 0;
        if (p.steady()) {
            led.state(p.millis().get(0) > 0 ? DigitalState.HIGH : DigitalState.LOW);
            return;
        }
        tick(p);
    }

    private synchronized void tick(Pattern p) {
        if (closed || playing != p) {
            return;
        }
        led.state(step % 2 == 0 ? DigitalState.HIGH : DigitalState.LOW);
        int wait = p.millis().get(step);
        step = (step + 1) % p.millis().size();
        next = scheduler.schedule(() -> tick(p), wait, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
        led.state(DigitalState.LOW);
    }
}
