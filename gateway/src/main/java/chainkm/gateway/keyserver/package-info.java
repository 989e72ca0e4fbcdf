/**
 * The key server of IoTChain (Alphand et al. 2018, section II): on every gateway, it hands a
 * client the keying material of a resource's group once the client has proven, over DTLS, that
 * it holds the key of a live token for that resource on the latest committed ledger state.
 *
 * <ul>
 *   <li>{@link chainkm.gateway.keyserver.AccessCheck}: the checks, in order, over what the
 *       committed ledger says about one token ({@link chainkm.gateway.keyserver.TokenFacts});</li>
 *   <li>{@link chainkm.gateway.keyserver.KeyServer}: checks, then answers from this gateway's
 *       group secrets when it is the device's home gateway, or forwards to the home gateway's
 *       key server ({@link chainkm.gateway.keyserver.HomeGateways}), which checks again;</li>
 *   <li>{@link chainkm.gateway.keyserver.MemberSecrets}: a member's personal secret for a group,
 *       answered by {@link chainkm.gateway.keyserver.GroupSessions}, the group managers of the
 *       self-healing scheme (members, sessions, signed broadcasts on MQTT), over the master secrets
 *       of {@link chainkm.gateway.keyserver.GroupSecretStore} and the states of
 *       {@link chainkm.gateway.keyserver.GroupStateStore} in the gateway's home.</li>
 * </ul>
 * No CoAP here: {@code chainkm.gateway.coap} translates between the wire and these classes.
 */
package chainkm.gateway.keyserver;
