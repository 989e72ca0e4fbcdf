/**
 * Layer 1 of the key management paper: sets, KEKs and DEKs, and rekey planning.
 * {@link chainkm.gateway.keys.KeyManager} follows the ledger's operations (fed by
 * {@link chainkm.gateway.keys.KeyFeed}) and runs one rekey plan per operation:
 * {@code JoinRekeyPlan}, {@code DepartureRekeyPlan} (leave, evict) and {@code AdoptionRekeyPlan}
 * (after a gateway's removal); {@code HeldKeys} is what this gateway holds,
 * {@link chainkm.gateway.keys.KeySchedule} how it derives keys from
 * {@link chainkm.gateway.keys.GatewaySecrets}, {@link chainkm.gateway.keys.RekeyArchive} the
 * bounded store of what it sent, and {@link chainkm.gateway.keys.RekeyPublisher} where the
 * messages go. Nothing here knows CoAP or MQTT.
 */
package chainkm.gateway.keys;
