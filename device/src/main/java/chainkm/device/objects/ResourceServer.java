package chainkm.device.objects;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The device as IoTChain's resource server: its {@link ObjectPublisher} run on a schedule, and,
 * if configured, its {@link ObjectServer}. Closed with the agent.
 */
public final class ResourceServer implements AutoCloseable {
    /**
     * What to publish and how: the protected resources' paths, how often (zero: only when asked,
     * {@link ObjectPublisher#publishAll()}), and where to serve them over plain CoAP (null: not served).
     */
    public record Options(List<String> paths, Duration interval, InetSocketAddress serve) {
        public Options {
            paths = List.copyOf(paths);
            if (interval.isNegative()) {
                throw new IllegalArgumentException("objects interval is not negative");
            }
        }
    }

    private final ObjectPublisher publisher;
    private final ObjectServer server;
    private final ScheduledExecutorService schedule;

    private ResourceServer(ObjectPublisher publisher, ObjectServer server, ScheduledExecutorService schedule) {
        this.publisher = publisher;
        this.server = server;
        this.schedule = schedule;
    }

    public static ResourceServer start(ObjectPublisher publisher, Options options) {
        ObjectServer server = options.serve() == null ? null : ObjectServer.start(publisher, options.serve());
        ScheduledExecutorService schedule = null;
        if (!options.interval().isZero() && !publisher.paths().isEmpty()) {
            schedule = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "objects-publisher");
                t.setDaemon(true);
                return t;
            });
            long ms = options.interval().toMillis();
            schedule.scheduleWithFixedDelay(() -> {
                try {
                    publisher.publishAll();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(ResourceServer.class).warn("publishing failed: {}", e.toString());
                }
            }, 0, ms, TimeUnit.MILLISECONDS);
        }
        return new ResourceServer(publisher, server, schedule);
    }

    public ObjectPublisher publisher() {
        return publisher;
    }

    /** Where the objects are served over CoAP, if they are. */
    public Optional<InetSocketAddress> address() {
        return server == null ? Optional.empty() : Optional.of(server.address());
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.shutdownNow();
            try {
                schedule.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null) {
            server.close();
        }
    }
}
