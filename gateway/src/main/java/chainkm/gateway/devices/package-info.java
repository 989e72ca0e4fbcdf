/**
 * The gateway's service to devices, whatever the transport: {@link
 * chainkm.gateway.devices.GatewayDeviceService} implements {@link
 * chainkm.gateway.devices.DeviceService} with one class per step: {@code DeviceJoins} (join
 * through the ledger, idempotent with the {@code JoinRegistry}), {@code DeviceRejoins} (the
 * rejoin proof against the anchor on the ledger), {@code CloneDetector} (an identity used
 * twice), and {@link chainkm.gateway.devices.AttachedDevices} (the relay of the owner's
 * messages to devices attached here whose set another gateway owns). Catch-up and the messages
 * themselves come from the key manager ({@code chainkm.gateway.keys}); the {@code coap}
 * resources translate between the wire and this package.
 */
package chainkm.gateway.devices;
