/**
 * MQTT transport of rekey messages (gateway side).
 *
 * <p>{@link chainkm.gateway.mqtt.EmbeddedBroker} runs Moquette in-process;
 * {@link chainkm.gateway.mqtt.MosquittoConfig} and {@link chainkm.gateway.mqtt.ExternalMosquitto}
 * set up and run a Mosquitto broker instead. Both enforce the same model, written down once
 * in {@link chainkm.gateway.mqtt.RekeyAccess}: gateways ({@code gateway-<id>}, one password
 * each) publish and subscribe on {@code chainkm/rekey/#}; devices (user {@code device}, one
 * consortium-wide password) only subscribe there; nothing else is allowed, and anonymous
 * clients are refused. {@link chainkm.gateway.mqtt.MqttRekeyPublisher} is the key manager's
 * {@link chainkm.gateway.keys.RekeyPublisher} over Paho.
 */
package chainkm.gateway.mqtt;
