/**
 * The gateway's device-facing transport: CoAP over DTLS 1.2 (Californium and Scandium),
 * authenticated by pre-shared keys that come from the key manager.
 * {@link chainkm.gateway.coap.CoapGatewayServer} owns the endpoint and documents the
 * resources and response codes; {@code DevicePskStore} is the bridge from Scandium to
 * {@link chainkm.gateway.keys.DeviceService#pskFor}; {@code JoinResource},
 * {@code CatchUpResource} and {@code NodeResource} translate one request each into a call of
 * the key manager, which itself knows nothing of CoAP.
 */
package chainkm.gateway.coap;
