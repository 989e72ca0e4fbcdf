package chainkm.device.keys;

import java.time.Clock;
import org.slf4j.Logger;

/**
 * Warns of refused rekey messages, at most {@code perMinute} lines a minute: whoever can publish
 * on a device's topics could otherwise fill its log (an SD card on a Pi). What is left out is
 * counted and reported with the next line.
 */
final class RefusalLog {
    private static final long MINUTE = 60_000;

    private final Logger log;
    private final Clock clock;
    private final int perMinute;
    private long windowStart = Long.MIN_VALUE;
    private int inWindow;
    private long suppressed;

    RefusalLog(Logger log, Clock clock, int perMinute) {
        this.log = log;
        this.clock = clock;
        this.perMinute = perMinute;
    }

    synchronized void refused(String reason) {
        long now = clock.millis();
        if (windowStart == Long.MIN_VALUE || now - windowStart >= MINUTE) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= perMinute) {
            suppressed++;
            return;
        }
        inWindow++;
        if (suppressed > 0) {
            log.warn("refused: {} (keys unchanged; {} more refusals were not logged)", reason, suppressed);
            suppressed = 0;
        } else {
            log.warn("refused: {} (keys unchanged)", reason);
        }
    }

    /** Refusals not logged yet (for tests). */
    synchronized long suppressed() {
        return suppressed;
    }
}
