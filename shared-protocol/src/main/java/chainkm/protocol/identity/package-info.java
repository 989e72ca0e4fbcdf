/**
 * Device identities on the ledger (trust model): a device's name, its one-time enrollment key
 * (in its provisioning bundle) and the identity key it generates itself at first boot, and the
 * signed statements that carry a device's own authority into ledger operations. Gateways relay
 * these statements but cannot make them: each is an Ed25519 signature by the device's key.
 *
 * <p>Every signed message starts with a label of its own ({@code chainkm/v1/...}), so a
 * signature made for one statement is never valid for another.
 */
package chainkm.protocol.identity;
