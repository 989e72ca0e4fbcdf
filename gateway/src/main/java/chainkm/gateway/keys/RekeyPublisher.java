package chainkm.gateway.keys;

/** Publishes encoded rekey messages on MQTT (QoS 1) to the gateway's broker. */
public interface RekeyPublisher extends AutoCloseable {
    void publish(String topic, byte[] message);

    @Override
    void close();
}
