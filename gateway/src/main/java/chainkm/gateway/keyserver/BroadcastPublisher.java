package chainkm.gateway.keyserver;

/** Publishes a group's session broadcast (its signed envelope) on MQTT: QoS 1, retained. */
public interface BroadcastPublisher {
    /**
     * @throws RuntimeException if the message could not be taken; the next session's broadcast
     *         heals the members that missed it
     */
    void publishRetained(String topic, byte[] message);
}
