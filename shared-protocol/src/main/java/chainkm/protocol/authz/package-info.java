/**
 * Authorization on the ledger (IoTChain, Alphand et al. 2018, on ACE, RFC 9200): a resource
 * owner's {@link chainkm.protocol.authz.Policy} for a resource of a device, a client's
 * {@link chainkm.protocol.authz.TokenRequest}, the {@link chainkm.protocol.authz.AccessToken}
 * the ledger grants (a CWT claims set, RFC 8392, with a proof-of-possession key, RFC 8747), and
 * the owner-signed {@link chainkm.protocol.authz.Voucher}, {@link chainkm.protocol.authz.PolicyRemoval}
 * and {@link chainkm.protocol.authz.TokenDeletion}; and the key server's wire: a client's
 * {@link chainkm.protocol.authz.AccessRequest}, the {@link chainkm.protocol.authz.AccessGrant}
 * it answers (in the manner of RFC 9594's join response) and the
 * {@link chainkm.protocol.authz.ForwardedAccess} a key server sends the device's home gateway.
 *
 * <p>Everything is deterministic CBOR (RFC 8949 section 4.2.1: preferred serialization, map keys
 * sorted by their encoded bytes, definite lengths, no tags, no floats); a decoder refuses any
 * other encoding of the same value, so each statement has exactly one encoding and its
 * hash (a policy's id, a token's cti) is well defined. Owners and clients are Ed25519 key pairs
 * (not gateways): a gateway relays their statements but cannot make them. Each signed message
 * is a label of its own ({@code chainkm/v1/authz/...}) followed by the statement's CBOR body, so
 * a signature made for one statement is never valid for another.
 */
package chainkm.protocol.authz;
