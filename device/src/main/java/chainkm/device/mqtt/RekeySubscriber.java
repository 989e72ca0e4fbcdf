package chainkm.device.mqtt;

import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's subscription to its rekey topics (QoS 1) on its gateway's broker.
 *
 * <ul>
 *   <li><b>Sessions.</b> Clean session = false with a stable client id, so the broker queues
 *       QoS 1 messages while the device is briefly away and delivers them when it is back.
 *       The client keeps its state in memory ({@link MemoryPersistence}): nothing on the SD
 *       card, little heap.</li>
 *   <li><b>Reconnects.</b> Paho reconnects by itself (back-off from 1 s to
 *       {@link #MAX_RECONNECT_DELAY_MS}); after <em>every</em> connect this class subscribes
 *       again to all topics of the last {@link #setTopics} and unsubscribes from dropped
 *       ones not yet unsubscribed, so a broker that lost its state (restart, expired
 *       session) is brought back in line without the caller doing anything.</li>
 *   <li><b>Delivery.</b> {@code onMessage} runs on Paho's callback thread: one message at a
 *       time, in arrival order. QoS 1 can deliver a message twice; the rekey protocol's
 *       sequence numbers make that harmless. The broker gets its acknowledgement when
 *       {@code onMessage} returns. If it throws, the exception is logged and the message is
 *       still acknowledged: redelivering a message that fails to apply would fail again,
 *       and the agent fetches whatever it could not apply over CoAP by seq. Keep
 *       {@code onMessage} short (seconds), and never call {@link #close()} or
 *       {@link #setTopics} from it.</li>
 *   <li><b>TLS.</b> Only {@code ssl://} brokers, trusted by the pin of their key from the
 *       provisioning bundle (genesis' {@code mqtt_tls_sha256}), not by a CA or a host name.</li>
 *   <li><b>First connect.</b> {@link #connect} fails if the broker is unreachable or refuses
 *       the credentials; the agent decides when to try again (or which gateway to try).</li>
 * </ul>
 */
public final class RekeySubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RekeySubscriber.class);

    static final int QOS = 1;
    static final int SUBSCRIPTION_REFUSED = 0x80;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    static final int KEEP_ALIVE_SECONDS = 30;
    static final int MAX_RECONNECT_DELAY_MS = 30_000;

    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final Object lock = new Object();
    /** Topics wanted, in the order given. Guarded by lock. */
    private Set<String> topics = new LinkedHashSet<>();
    /** Topics dropped but possibly still subscribed at the broker. Guarded by lock. */
    private final Set<String> stale = new LinkedHashSet<>();
    private volatile boolean closed;
    private volatile Runnable onResubscribed;

    private RekeySubscriber(MqttAsyncClient client, MqttConnectOptions options) {
        this.client = client;
        this.options = options;
    }

    /**
     * Connects with clean session = false and returns once the broker accepted the
     * connection; subscribes to nothing until {@link #setTopics}.
     *
     * @param url       {@code ssl://host:port} of the gateway's broker (MQTT never runs in clear)
     * @param broker    the broker's key pin from the bundle: the only key the TLS handshake accepts
     * @param username  the device's own user name ({@code GET /mqtt})
     * @param password  its password from {@code GET /mqtt} (copied; the caller may wipe its array)
     * @param clientId  {@code node-<its node id>}: the broker refuses any other
     * @param onMessage receives topic and payload of each rekey message
     * @throws IOException if the broker is unreachable or refuses the credentials
     */
    /**
     * Runs {@code r} each time the subscriber is subscribed again after a reconnection (on a
     * Paho thread: {@code r} must hand blocking work to a thread of its own).
     */
    public void onResubscribed(Runnable r) {
        onResubscribed = r;
    }

    public static RekeySubscriber connect(String url, TlsPin broker, String username, char[] password,
                                          String clientId, BiConsumer<String, byte[]> onMessage) throws IOException {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(broker, "broker");
        if (!url.startsWith("ssl://")) {
            throw new IOException("MQTT runs over TLS: the broker URL must be ssl://host:port, not " + url);
        }
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(onMessage, "onMessage");
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("bad MQTT url or client id: " + url, e);
        }
        MqttConnectOptions options = new MqttConnectOptions();
        // trust the pinned key alone; no host-name check, since the pin, not a name, identifies the broker
        options.setSocketFactory(broker.clientContext().getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(false);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(username);
        options.setPassword(password.clone());
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(MAX_RECONNECT_DELAY_MS);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setConnectionTimeout((int) CONNECT_TIMEOUT.toSeconds());

        RekeySubscriber subscriber = new RekeySubscriber(client, options);
        client.setCallback(subscriber.new Callback(clientId, onMessage));
        try {
            client.connect(options).waitForCompletion(CONNECT_TIMEOUT.toMillis() + 1_000);
        } catch (MqttException e) {
            subscriber.close();
            throw new IOException("MQTT connect to " + url + " as " + username + " failed: "
                    + e.getMessage() + " (reason " + e.getReasonCode() + ")", e);
        }
        LOG.info("rekey subscriber {} connected to {}", clientId, url);
        return subscriber;
    }

    /**
     * Makes {@code wanted} the set of subscribed topics (or filters): subscribes to the new
     * ones, unsubscribes from those no longer wanted, and remembers the set for every later
     * reconnect. While connected it waits for the broker's acknowledgements; while
     * disconnected it only remembers, and the next connect does the rest.
     *
     * @throws IllegalStateException if closed, or if the broker refused a subscription
     * @throws UncheckedIOException  if the broker did not acknowledge in time (the set is
     *                               still remembered and applied on the next connect)
     */
    public synchronized void setTopics(Collection<String> wanted) {
        Objects.requireNonNull(wanted, "wanted");
        if (closed) {
            throw new IllegalStateException("subscriber closed");
        }
        List<String> added = new ArrayList<>();
        List<String> dropped;
        IMqttToken subscribed = null;
        IMqttToken unsubscribed = null;
        try {
            // sent under the lock, so that the broker sees (un)subscribes in the order of
            // the topic-set changes, also against the re-subscription after a reconnect
            synchronized (lock) {
                Set<String> next = new LinkedHashSet<>(wanted);
                for (String t : next) {
                    if (!topics.contains(t)) {
                        added.add(t);
                    }
                }
                for (String t : topics) {
                    if (!next.contains(t)) {
                        stale.add(t);
                    }
                }
                stale.removeAll(next);
                topics = next;
                dropped = new ArrayList<>(stale);
                if (!client.isConnected()) {
                    LOG.debug("not connected: topics remembered for the next connect");
                    return;
                }
                if (!added.isEmpty()) {
                    subscribed = client.subscribe(added.toArray(new String[0]), qosArray(added.size()));
                }
                if (!dropped.isEmpty()) {
                    unsubscribed = client.unsubscribe(dropped.toArray(new String[0]));
                }
            }
            if (subscribed != null) {
                subscribed.waitForCompletion(ACK_TIMEOUT.toMillis());
                checkGranted(added, subscribed);
            }
            if (unsubscribed != null) {
                unsubscribed.waitForCompletion(ACK_TIMEOUT.toMillis());
                forgetStale(dropped);
            }
        } catch (MqttException e) {
            if (!client.isConnected()) {
                LOG.debug("connection lost during setTopics; the next connect subscribes: {}", e.toString());
                return;
            }
            throw new UncheckedIOException(new IOException("MQTT (un)subscribe failed: " + e.getMessage()
                    + " (reason " + e.getReasonCode() + ")", e));
        }
    }

    /** The topics of the last {@link #setTopics}. */
    public Set<String> topics() {
        synchronized (lock) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(topics));
        }
    }

    /** True while connected to the broker. */
    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * Disconnects, keeping the broker-side session (it queues for this client id until it
     * expires); idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        options.setAutomaticReconnect(false); // no further reconnect attempts get scheduled
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

    private static int[] qosArray(int n) {
        int[] qos = new int[n];
        java.util.Arrays.fill(qos, QOS);
        return qos;
    }

    private static void checkGranted(List<String> requested, IMqttToken token) {
        int[] granted = token.getGrantedQos();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            if (granted == null || i >= granted.length || granted[i] == SUBSCRIPTION_REFUSED) {
                refused.add(requested.get(i));
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalStateException("broker refused subscription to " + refused);
        }
    }

    private void forgetStale(List<String> unsubscribed) {
        synchronized (lock) {
            for (String t : unsubscribed) {
                if (!topics.contains(t)) {
                    stale.remove(t);
                }
            }
        }
    }

    /** Re-subscription after each connect, and message delivery. */
    private final class Callback implements MqttCallbackExtended {
        private final String clientId;
        private final BiConsumer<String, byte[]> onMessage;

        Callback(String clientId, BiConsumer<String, byte[]> onMessage) {
            this.clientId = clientId;
            this.onMessage = onMessage;
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                List<String> subscribe = new ArrayList<>(topics);
                List<String> unsubscribe = new ArrayList<>(stale);
                if (reconnect) {
                    LOG.info("rekey subscriber {} reconnected to {}; subscribing again to {} topic(s)",
                            clientId, serverUri, subscribe.size());
                }
                // on Paho's callback thread: send, never wait here (the acknowledgement is
                // processed by this very thread); under the lock, see setTopics
                resubscribe(subscribe, unsubscribe, reconnect);
            }
        }

        private void resubscribe(List<String> subscribe, List<String> unsubscribe, boolean reconnect) {
            try {
                if (!subscribe.isEmpty()) {
                    client.subscribe(subscribe.toArray(new String[0]), qosArray(subscribe.size()), null,
                            new IMqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken token) {
                                    try {
                                        checkGranted(subscribe, token);
                                    } catch (IllegalStateException e) {
                                        LOG.error("rekey subscriber {}: {}", clientId, e.getMessage());
                                        return;
                                    }
                                    Runnable r = onResubscribed;
                                    if (reconnect && r != null) {
                                        // messages sent while it was away may be gone (a session taken over
                                        // or expired): the owner fetches them, now that nothing newer is missed
                                        r.run();
                                    }
                                }

                                @Override
                                public void onFailure(IMqttToken token, Throwable e) {
                                    LOG.warn("rekey subscriber {}: subscribe after connect failed ({}); "
                                            + "retried on the next connect", clientId, String.valueOf(e));
                                }
                            });
                }
                if (!unsubscribe.isEmpty()) {
                    client.unsubscribe(unsubscribe.toArray(new String[0]), null, new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            forgetStale(unsubscribe);
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            LOG.debug("rekey subscriber {}: unsubscribe failed: {}", clientId, String.valueOf(e));
                        }
                    });
                }
            } catch (MqttException e) {
                LOG.warn("rekey subscriber {}: could not (re)subscribe after connect ({}); retried on the next connect",
                        clientId, e.toString());
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            LOG.warn("rekey subscriber {} lost its connection ({}); reconnecting", clientId,
                    cause == null ? "no cause" : cause.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                onMessage.accept(topic, message.getPayload());
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // NOPMD: a throw here would make Paho drop the connection
                LOG.error("rekey message handler failed on {} ({} bytes); message acknowledged, "
                        + "the agent catches up over CoAP", topic, message.getPayload().length, e);
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // the subscriber publishes nothing
        }
    }
}
