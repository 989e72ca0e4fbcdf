/**
 * The gateway's service to devices, whatever the transport: {@link
 * chainkm.gateway.devices.GatewayDeviceService} implements {@link
 * chainkm.gateway.devices.DeviceService} with one class per step: {@code DeviceActivations}
 * (a device's own identity key replaces its enrollment key), {@code DeviceJoins} (join through
 * the ledger with the device's signature, idempotent through the ledger's identity record),
 * {@code DeviceRejoins} (the
 * rejoin proof against the anchor on the ledger), {@code CloneDetector} (an identity used
 * twice), and {@link chainkm.gateway.devices.AttachedDevices} (the relay of the owner's
 * messages to devices attached here whose set another gateway owns). Catch-up and the messages
 * themselves come from the key manager ({@code chainkm.gateway.keys}); the {@code coap}
 * resources translate between the wire and this package and decide who the peer is
 * ({@link chainkm.gateway.devices.DevicePeer}).
 */
package chainkm.gateway.devices;
