package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain Paho client for tests, standing in for a device (the device module's
 * RekeySubscriber is not visible from the gateway module). Received messages queue up
 * and are awaited, never slept for.
 */
final class TestMqttClient implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(10);

    record Received(String topic, byte[] payload, int qos) {
        String text() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final MqttAsyncClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private TestMqttClient(MqttAsyncClient client) {
        this.client = client;
    }

    /** Connects with clean session = false over TLS to a broker with key {@code pin}; username null means anonymous. */
    static TestMqttClient connect(String url, TlsPin pin, String username, String password, String clientId)
            throws MqttException {
        return connect(url, pin, username, password, clientId, false);
    }

    static TestMqttClient connect(String url, TlsPin pin, MqttCredential login, String clientId)
            throws MqttException {
        return connect(url, pin, login.user(), new String(login.password()), clientId, false);
    }

    static TestMqttClient connect(String url, TlsPin pin, String username, String password, String clientId,
                                  boolean cleanSession) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        TestMqttClient test = new TestMqttClient(client);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                test.received.add(new Received(topic, message.getPayload(), message.getQos()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        options.setConnectionTimeout(5);
        if (pin != null) {
            options.setSocketFactory(pin.clientContext().getSocketFactory());
            options.setHttpsHostnameVerificationEnabled(false);
        }
        if (username != null) {
            options.setUserName(username);
            options.setPassword(password.toCharArray());
        }
        try {
            client.connect(options).waitForCompletion(WAIT.toMillis());
        } catch (MqttException e) {
            test.close();
            throw e;
        }
        return test;
    }

    /** Subscribes at QoS 1 and returns the granted QoS (0x80: refused). */
    int subscribe(String filter) throws MqttException {
        IMqttToken token = client.subscribe(filter, 1);
        token.waitForCompletion(WAIT.toMillis());
        return token.getGrantedQos()[0];
    }

    /** Publishes without waiting for an acknowledgement (a refused QoS 1 publish may never get one). */
    void publishNoWait(String topic, String text, int qos) throws MqttException {
        client.publish(topic, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), qos, false);
    }

    Received awaitMessage() throws InterruptedException {
        Received r = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            fail("no message within " + WAIT);
        }
        return r;
    }

    void assertNothingWithin(Duration d) throws InterruptedException {
        Received r = received.poll(d.toMillis(), TimeUnit.MILLISECONDS);
        assertNull(r, () -> "unexpected message on " + r.topic() + ": " + r.text());
    }

    boolean isConnected() {
        return client.isConnected();
    }

    void disconnect() throws MqttException {
        client.disconnect().waitForCompletion(WAIT.toMillis());
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(500).waitForCompletion(2_000);
            }
        } catch (MqttException ignored) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // already closed
        }
    }
}
