package chainkm.gateway.submit;

import chainkm.protocol.ledger.Operation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * T_k of the latest operations (bounded): how long this gateway's key manager spent on each,
 * recorded by the key feed when it applies a committed operation, read by the control API's
 * answer ({@link OpTiming}).
 */
public final class KeyWorkTimes {
    private static final int KEEP = 4096;

    private record Key(Operation operation, int nodeId) {}

    private final Map<Key, Double> millis = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Double> eldest) {
            return size() > KEEP;
        }
    };

    public synchronized void record(Operation operation, int nodeId, long nanos) {
        millis.put(new Key(operation, nodeId), nanos / 1e6);
        notifyAll();
    }

    /** Waits up to {@code timeoutMillis} for the key manager to have applied the operation. */
    public synchronized OptionalDouble await(Operation operation, int nodeId, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Key key = new Key(operation, nodeId);
        while (true) {
            Double v = millis.get(key);
            long left = deadline - System.nanoTime();
            if (v != null) {
                return OptionalDouble.of(v);
            }
            if (left <= 0) {
                return OptionalDouble.empty();
            }
            wait(Math.max(1, left / 1_000_000L));
        }
    }
}
