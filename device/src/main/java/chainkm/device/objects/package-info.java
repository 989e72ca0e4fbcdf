/**
 * The device as IoTChain's resource server (issue 14): it seals a reading of each protected
 * resource under the resource group's current session key K_j, signs it with its identity key,
 * pushes it to the caching proxy of its gateway ({@code PUT /objects/<path>} over its DTLS
 * identity) and serves it itself over plain CoAP. The session keys come from a
 * {@link chainkm.device.objects.SessionKeySource} (the group-key follower); without a key there is
 * no object, never plaintext.
 */
package chainkm.device.objects;
