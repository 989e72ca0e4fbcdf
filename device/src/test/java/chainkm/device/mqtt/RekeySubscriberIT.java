package chainkm.device.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RekeySubscriber against a real Mosquitto, which the test stops and starts again. */
class RekeySubscriberIT {

    static final long WAIT_MS = 15_000;

    record Received(String topic, String text, String thread) {}

    @TempDir
    Path dir;
    private int port;
    private TestMosquitto broker;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private TlsPin pin;

    @BeforeEach
    void startBroker() throws Exception {
        port = TestMosquitto.freePort();
        broker = TestMosquitto.start(dir.resolve("run0"), port);
        pin = TestMosquitto.pin(dir.resolve("run0"));
    }

    @AfterEach
    void stopEverything() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception ignored) {
                // keep closing
            }
        }
        broker.close();
    }

    private RekeySubscriber subscriber(String clientId) throws IOException {
        RekeySubscriber s = RekeySubscriber.connect(broker.url(), pin, "dev", "device-secret".toCharArray(), clientId,
                (topic, payload) -> {
                    String text = new String(payload, StandardCharsets.UTF_8);
                    received.add(new Received(topic, text, Thread.currentThread().getName()));
                    if (text.startsWith("boom")) {
                        throw new IllegalStateException("handler failure for the test");
                    }
                });
        started.add(s);
        return s;
    }

    /** A stand-in for the gateway: plain Paho, QoS 1, waits for each PUBACK. */
    private void publish(String topic, String text) throws MqttException {
        try (MqttClient gateway = new MqttClient(broker.url(), "gateway-test", new MemoryPersistence())) {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setSocketFactory(pin.clientContext().getSocketFactory());
            options.setHttpsHostnameVerificationEnabled(false);
            options.setUserName("gateway-1");
            options.setPassword("x".toCharArray());
            gateway.connect(options);
            gateway.publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false);
            gateway.disconnect();
        }
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        if (r == null) {
            fail("no message within " + WAIT_MS + " ms");
        }
        return r;
    }

    /** Publishes probes on topic until one arrives: the broker has the subscription again. */
    private void awaitSubscribedTo(String topic) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            try {
                publish(topic, "probe");
            } catch (MqttException brokerNotReadyYet) {
                Thread.sleep(100);
                continue;
            }
            Received r = received.poll(200, TimeUnit.MILLISECONDS);
            if (r != null) {
                assertEquals(topic, r.topic());
                // drain other probes that may still come
                while (received.poll(300, TimeUnit.MILLISECONDS) != null) {
                    // probe
                }
                return;
            }
        }
        fail("not subscribed to " + topic + " within " + WAIT_MS + " ms");
    }

    private void restartBrokerOnTheSamePort(int run) throws Exception {
        broker.close();
        broker = TestMosquitto.start(dir.resolve("run" + run), port);
    }

    @Test
    void deliversSubscribedTopicsInArrivalOrderOnOneThread() throws Exception {
        RekeySubscriber s = subscriber("node-5");
        s.setTopics(List.of(Topics.set(3), Topics.node(5)));
        for (int i = 0; i < 20; i++) {
            publish(i % 2 == 0 ? Topics.set(3) : Topics.node(5), "m" + i);
        }
        publish(Topics.set(4), "not mine");
        String thread = null;
        for (int i = 0; i < 20; i++) {
            Received r = next();
            assertEquals("m" + i, r.text());
            assertEquals(i % 2 == 0 ? Topics.set(3) : Topics.node(5), r.topic());
            thread = thread == null ? r.thread() : thread;
            assertEquals(thread, r.thread());
        }
        assertNull(received.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void subscribesAgainAfterEveryReconnect() throws Exception {
        RekeySubscriber s = subscriber("node-6");
        s.setTopics(List.of(Topics.node(6)));
        publish(Topics.node(6), "before");
        assertEquals("before", next().text());

        for (int run = 1; run <= 2; run++) {
            // the new broker knows nothing of the old session: only a re-subscription helps
            restartBrokerOnTheSamePort(run);
            awaitSubscribedTo(Topics.node(6));
            assertTrue(s.isConnected());
            publish(Topics.node(6), "after restart " + run);
            assertEquals("after restart " + run, next().text());
        }
        assertEquals(Set.of(Topics.node(6)), s.topics());
    }

    @Test
    void setTopicsDropsTopicsNoLongerWanted() throws Exception {
        RekeySubscriber s = subscriber("node-7");
        s.setTopics(List.of(Topics.set(1), Topics.node(7)));
        s.setTopics(List.of(Topics.set(2), Topics.node(7)));
        assertEquals(Set.of(Topics.set(2), Topics.node(7)), s.topics());

        publish(Topics.set(1), "old set");
        publish(Topics.set(2), "new set");
        publish(Topics.node(7), "node");
        assertEquals("new set", next().text());
        assertEquals("node", next().text());
        assertNull(received.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void topicsSetWhileDisconnectedAreSubscribedOnReconnect() throws Exception {
        RekeySubscriber s = subscriber("node-8");
        s.setTopics(List.of(Topics.set(1)));
        broker.close();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (s.isConnected() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        s.setTopics(List.of(Topics.set(2))); // only remembered
        broker = TestMosquitto.start(dir.resolve("run1"), port);
        awaitSubscribedTo(Topics.set(2));
        publish(Topics.set(1), "old set");
        publish(Topics.set(2), "new set");
        assertEquals("new set", next().text());
    }

    @Test
    void aFailingHandlerIsLoggedAndDeliveryGoesOn() throws Exception {
        RekeySubscriber s = subscriber("node-9");
        s.setTopics(List.of(Topics.node(9)));
        publish(Topics.node(9), "boom");
        publish(Topics.node(9), "next");
        assertEquals("boom", next().text());
        assertEquals("next", next().text());
        assertTrue(s.isConnected());
        assertNull(received.poll(500, TimeUnit.MILLISECONDS), "the failed message must not come back");
    }

    @Test
    void messagesQueuedWhileTheDeviceWasAwayArriveWhenItIsBack() throws Exception {
        RekeySubscriber s = subscriber("node-10");
        s.setTopics(List.of(Topics.node(10)));
        s.close();
        publish(Topics.node(10), "while away");
        subscriber("node-10"); // same client id, clean session = false: the broker kept the queue
        assertEquals("while away", next().text());
    }

    @Test
    void connectFailsWhenNoBrokerListens() throws Exception {
        int closedPort = TestMosquitto.freePort();
        assertThrows(IOException.class, () -> RekeySubscriber.connect("ssl://127.0.0.1:" + closedPort, pin, "dev",
                "x".toCharArray(), "node-11", (t, p) -> { }));
    }

    @Test
    void neverConnectsInClearNorToABrokerWithAnotherKey() throws Exception {
        assertThrows(IOException.class, () -> RekeySubscriber.connect("tcp://127.0.0.1:" + port, pin, "dev",
                "x".toCharArray(), "node-12", (t, p) -> { }));
        TlsPin other = TlsPin.of(new byte[32]);
        assertThrows(IOException.class, () -> RekeySubscriber.connect(broker.url(), other, "dev",
                "x".toCharArray(), "node-12", (t, p) -> { }), "a broker whose key is not the pinned one");
    }
}
