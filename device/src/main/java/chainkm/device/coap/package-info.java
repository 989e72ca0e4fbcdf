/**
 * The device's side of the CoAP-over-DTLS link to its gateway:
 * {@link chainkm.device.coap.GatewayCoapClient} (join, catch-up, set look-up) with one PSK
 * session, {@link chainkm.device.coap.GatewayResponseException} for CoAP error answers, and
 * {@code chainkm.protocol.rekey.CatchUpPayload}, the length-prefixed framing of a catch-up response.
 */
package chainkm.device.coap;
