/**
 * MQTT transport of rekey messages (device side): {@link chainkm.device.mqtt.RekeySubscriber}
 * keeps the device subscribed to its rekey topics on its gateway's broker and hands each
 * message, still sealed, to the agent.
 */
package chainkm.device.mqtt;
