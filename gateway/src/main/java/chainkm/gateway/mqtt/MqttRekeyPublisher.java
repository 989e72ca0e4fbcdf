package chainkm.gateway.mqtt;

import chainkm.gateway.keys.RekeyPublisher;
import chainkm.gateway.keyserver.BroadcastPublisher;
import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes rekey messages with Paho: QoS 1, not retained (and group session broadcasts, retained),
 * to the embedded broker or an
 * external one.
 *
 * <p><b>Nothing is lost silently.</b> {@link #publish} returns once Paho holds the message:
 * <ul>
 *   <li>connected: it is in flight, and Paho resends it until the broker acknowledges it,
 *       across reconnects too (clean session = false, so the in-flight window survives a
 *       dropped connection; the client id must be stable and unique per gateway);</li>
 *   <li>disconnected: it waits in Paho's disconnected buffer (in memory, up to
 *       {@link #BUFFER_CAPACITY} messages) and is sent, in order, after the automatic
 *       reconnect;</li>
 *   <li>the in-flight window ({@link #MAX_IN_FLIGHT}) is full: publish blocks, retrying,
 *       for up to {@link #IN_FLIGHT_WAIT};</li>
 *   <li>the buffer is full, the window stayed full, or the publisher is closed: publish
 *       throws, so the caller knows this message was not taken.</li>
 * </ul>
 * What is still buffered or in flight when the process dies is lost; devices recover it
 * over CoAP by epoch. {@link #close()} waits up to {@link #CLOSE_GRACE} for acknowledgements
 * and logs how many messages it drops.
 */
public final class MqttRekeyPublisher implements RekeyPublisher, BroadcastPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(MqttRekeyPublisher.class);

    static final int QOS = 1;
    static final int BUFFER_CAPACITY = 10_000;
    static final int MAX_IN_FLIGHT = 1_000;
    static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    static final int KEEP_ALIVE_SECONDS = 30;
    static final int MAX_RECONNECT_DELAY_MS = 10_000;

    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final String url;
    private volatile boolean closed;

    private MqttRekeyPublisher(MqttAsyncClient client, MqttConnectOptions options, String url) {
        this.client = client;
        this.options = options;
        this.url = url;
    }

    /**
     * Connects to a broker and returns once the broker accepted the connection.
     *
     * @param url      {@code ssl://host:port}
     * @param broker   the broker's pinned key (the gateway's own broker certificate)
     * @param username {@code gateway-<id>}
     * @param password that gateway's MQTT password (the array is not kept)
     * @param clientId stable and unique per gateway, e.g. its user name
     * @throws IOException if the broker is unreachable or refuses the credentials
     */
    public static MqttRekeyPublisher connect(String url, TlsPin broker, String username, char[] password,
                                             String clientId) throws IOException {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(clientId, "clientId");
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("bad MQTT url or client id: " + url, e);
        }
        MqttConnectOptions options = new MqttConnectOptions();
        PinnedBroker.configure(options, url, broker);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(username);
        options.setPassword(password.clone());
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(MAX_RECONNECT_DELAY_MS);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setConnectionTimeout((int) CONNECT_TIMEOUT.toSeconds());
        options.setMaxInflight(MAX_IN_FLIGHT);

        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setBufferSize(BUFFER_CAPACITY);
        buffer.setPersistBuffer(false);
        buffer.setDeleteOldestMessages(false);
        client.setBufferOpts(buffer);

        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
                if (reconnect) {
                    LOG.info("MQTT publisher {} reconnected to {}", clientId, serverUri);
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                LOG.warn("MQTT publisher {} lost its connection to {} ({}); reconnecting, buffering meanwhile",
                        clientId, url, cause == null ? "no cause" : cause.toString());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                // the publisher subscribes to nothing
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing to do: QoS 1 delivery is tracked by Paho
            }
        });
        try {
            client.connect(options).waitForCompletion(CONNECT_TIMEOUT.toMillis() + 1_000);
        } catch (MqttException e) {
            closeQuietly(client, options);
            throw new IOException("MQTT connect to " + url + " as " + username + " failed: "
                    + e.getMessage() + " (reason " + e.getReasonCode() + ")", e);
        }
        LOG.info("MQTT publisher {} connected to {} as {}", clientId, url, username);
        return new MqttRekeyPublisher(client, options, url);
    }

    /**
     * Hands a rekey message to Paho (QoS 1, not retained); see the class comment for what
     * happens when the broker is away.
     *
     * @throws IllegalStateException if closed
     * @throws UncheckedIOException  if the message could not be taken (buffer full, window
     *                               full for too long, bad topic)
     */
    @Override
    public void publish(String topic, byte[] message) {
        publish(topic, message, false);
    }

    /**
     * A group session broadcast: QoS 1 and retained, so that a member subscribing later gets
     * the latest at once; otherwise as {@link #publish(String, byte[])}.
     */
    @Override
    public void publishRetained(String topic, byte[] message) {
        publish(topic, message, true);
    }

    private void publish(String topic, byte[] message, boolean retained) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(message, "message");
        long deadline = System.nanoTime() + IN_FLIGHT_WAIT.toNanos();
        long pause = 1;
        while (true) {
            if (closed) {
                throw new IllegalStateException("publisher closed");
            }
            try {
                client.publish(topic, message, QOS, retained);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT
                        || System.nanoTime() - deadline > 0) {
                    throw new UncheckedIOException(new IOException("MQTT publish on " + topic + " failed: "
                            + e.getMessage() + " (reason " + e.getReasonCode() + ")", e));
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while the MQTT in-flight window was full"));
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    /** True while connected to the broker. */
    public boolean isConnected() {
        return client.isConnected();
    }

    /** Messages taken but not yet acknowledged by the broker (in flight or buffered). */
    public int pendingCount() {
        return client.getPendingDeliveryTokens().length + client.getBufferedMessageCount();
    }

    /** The broker URL. */
    public String url() {
        return url;
    }

    /**
     * Waits up to {@link #CLOSE_GRACE} for pending messages to be acknowledged, then
     * disconnects; idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        while (pendingCount() > 0 && client.isConnected() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int dropped = pendingCount();
        if (dropped > 0) {
            LOG.warn("MQTT publisher closing with {} unacknowledged rekey message(s); devices will catch up over CoAP",
                    dropped);
        }
        closeQuietly(client, options);
    }

    /** Disconnects and closes; also stops Paho from scheduling further reconnect attempts. */
    static void closeQuietly(MqttAsyncClient client, MqttConnectOptions options) {
        options.setAutomaticReconnect(false);
        try {
            if (client.isConnected()) {
                client.disconnect(1_000).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT disconnect: {}", e.toString());
        }
        try {
            client.disconnectForcibly(0, 0, false);
        } catch (MqttException e) {
            LOG.debug("MQTT forced disconnect: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT close: {}", e.toString());
        }
    }
}
