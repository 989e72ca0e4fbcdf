/**
 * The gateway's device-facing transport: CoAP over DTLS 1.2 (Californium and Scandium).
 * Devices authenticate with the raw public key of their ledger identity, gateways with a
 * pre-shared key. {@link chainkm.gateway.coap.CoapGatewayServer} owns the endpoint and documents
 * the resources and response codes; {@code DeviceKeyVerifier} admits a device's key at the
 * handshake, {@code DevicePeers} decides who sent each request (the ledger at that moment), and
 * {@code PeerGatewayPskStore} holds the gateway peers' keys. One resource class per path
 * translates a request into a call of {@link chainkm.gateway.devices.DeviceService}, which
 * itself knows nothing of CoAP. {@code PeerGatewayClient} is the other direction: this gateway
 * asking an owner gateway for the messages it relays ({@code GET /relay}), one client per peer
 * in {@code PeerGateways}.
 */
package chainkm.gateway.coap;
