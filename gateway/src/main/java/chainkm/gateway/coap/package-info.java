/**
 * The gateway's device-facing transport: CoAP over DTLS 1.2 (Californium and Scandium),
 * authenticated by pre-shared keys that come from the key manager.
 * {@link chainkm.gateway.coap.CoapGatewayServer} owns the endpoint and documents the
 * resources and response codes; {@code DevicePskStore} is the bridge from Scandium to
 * {@link chainkm.gateway.devices.DeviceService#pskFor}; {@code JoinResource},
 * {@code CatchUpResource} and {@code NodeResource} translate one request each into a call of
 * the device service, which itself knows nothing of CoAP. {@code PeerGatewayClient} is the
 * other direction: this gateway asking an owner gateway for the messages it relays
 * ({@code GET /relay}), one client per peer in {@code PeerGateways}.
 */
package chainkm.gateway.coap;
