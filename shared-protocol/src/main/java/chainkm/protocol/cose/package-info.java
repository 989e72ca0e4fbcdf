/**
 * COSE (RFC 9052, algorithms of RFC 9053) for protected objects (IoTChain's use of OSCAR):
 * {@link chainkm.protocol.cose.CoseEncrypt0} with AES-CCM-16-64-128 and
 * {@link chainkm.protocol.cose.CoseSign1} with EdDSA (Ed25519), and their composition for a
 * device's readings: {@link chainkm.protocol.cose.ProtectedObject} (a reading encrypted under
 * the group session key K_j) and {@link chainkm.protocol.cose.SignedObject} (that object signed
 * by the device, for objects served through a proxy). Sequence numbers, which make the nonces,
 * come from a {@link chainkm.protocol.cose.NonceSource} that never repeats across reboots.
 *
 * <p>This package needs the JDK alone (no CBOR library, no Bouncy Castle), so that devices can
 * seal and sign objects within their image's size limit: it reads and writes the small CBOR
 * subset COSE messages use, in deterministic encoding only. docs/protected-objects.md describes
 * the formats; the tests check them against RFC 9052's examples and an independent COSE
 * implementation.
 */
package chainkm.protocol.cose;
