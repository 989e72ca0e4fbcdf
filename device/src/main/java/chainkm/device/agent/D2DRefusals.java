package chainkm.device.agent;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs refused D2D packets at a bounded rate: one line per sender and kind of refusal every
 * {@link #PERIOD_MILLIS} ms, the next one saying how many were left out meanwhile. The sender is
 * whatever the packet claims (a node id) or, for a packet that does not decode, its address; both
 * are the attacker's choice, so at most {@link #MAX_SENDERS} are tracked and the others share one
 * line, and at most {@link #MAX_LINES} lines are written per period in all. Lines never hold key
 * bytes, nonces or payloads.
 */
final class D2DRefusals {
    static final long PERIOD_MILLIS = 10_000;
    static final int MAX_SENDERS = 128;
    static final int MAX_LINES = 32;

    /** Why a packet was refused (one line per sender and kind and period). */
    enum Kind {
        OVERSIZED, OLD_VERSION, UNKNOWN_VERSION, MALFORMED, NOT_FOR_THIS_DEVICE, NOT_ITS_KEY, NO_KEY,
        UNKNOWN_SENDER, BAD_SIGNATURE, BAD_TAG, REPLAYED, STATE_ERROR
    }

    private static final class Bucket {
        long lastLogged = Long.MIN_VALUE;
        long suppressed;
    }

    private final Logger log;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>();
    private final Bucket others = new Bucket();
    private long periodStart = Long.MIN_VALUE;
    private int linesInPeriod;
    private long dropped;

    D2DRefusals(Logger log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /** Records one refusal; returns true when it was logged now. */
    synchronized boolean refused(String sender, Kind kind, String reason) {
        long now = clock.millis();
        if (periodStart == Long.MIN_VALUE || now - periodStart >= PERIOD_MILLIS) {
            periodStart = now;
            linesInPeriod = 0;
            // senders that went quiet: their left-out count is told now, then they are forgotten
            buckets.entrySet().removeIf(e -> {
                Bucket b = e.getValue();
                if (now - b.lastLogged < PERIOD_MILLIS) {
                    return false;
                }
                if (b.suppressed > 0 && linesInPeriod < MAX_LINES) {
                    linesInPeriod++;
                    log.warn("D2D packets refused: {} more {} refusals from {} not logged before", b.suppressed,
                            e.getKey().substring(e.getKey().lastIndexOf('/') + 1), e.getKey().substring(0,
                                    e.getKey().lastIndexOf('/')));
                }
                return true;
            });
        }
        String key = sender + "/" + kind;
        Bucket b = buckets.get(key);
        String who = sender;
        if (b == null) {
            if (buckets.size() < MAX_SENDERS) {
                b = new Bucket();
                buckets.put(key, b);
            } else {
                b = others;
                who = "one of many senders";
            }
        }
        if (b.lastLogged != Long.MIN_VALUE && now - b.lastLogged < PERIOD_MILLIS || linesInPeriod >= MAX_LINES) {
            b.suppressed++;
            dropped++;
            return false;
        }
        b.lastLogged = now;
        linesInPeriod++;
        if (b.suppressed > 0) {
            log.warn("D2D packet from {} refused: {} ({} more {} refusals from it not logged in the last {} s)", who,
                    reason, b.suppressed, kind, PERIOD_MILLIS / 1000);
            b.suppressed = 0;
        } else {
            log.warn("D2D packet from {} refused: {}", who, reason);
        }
        return true;
    }

    /** Refusals not logged on their own line (for tests). */
    synchronized long notLogged() {
        return dropped;
    }
}
