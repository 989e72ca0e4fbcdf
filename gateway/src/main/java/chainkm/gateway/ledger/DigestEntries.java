package chainkm.gateway.ledger;

import java.nio.charset.StandardCharsets;

/**
 * The canonical bytes of each kind of ledger state entry as {@link StateDigest} counts it: a
 * domain tag (length-prefixed, so no entry of one kind reads as another) followed by the entry's
 * own state-file encoding. Every piece of state that decides how this node behaves has a kind
 * here; the incremental updates and the from-scratch computation both use these methods only,
 * so they cannot disagree on an encoding.
 */
final class DigestEntries {
    private DigestEntries() {}

    static byte[] gateway(int id, byte[] publicKey) {
        StateWriter w = tagged("consortium-gateway");
        w.putInt(id);
        w.put(publicKey);
        return w.toByteArray();
    }

    /** A set of the layout and the gateway that owns it. */
    static byte[] set(int setId, int owner) {
        StateWriter w = tagged("set");
        w.putInt(setId);
        w.putInt(owner);
        return w.toByteArray();
    }

    /** The layout's next set id (one such entry at any time). */
    static byte[] nextSetId(int next) {
        StateWriter w = tagged("next-set-id");
        w.putInt(next);
        return w.toByteArray();
    }

    /** A node's place in the layout. */
    static byte[] inSet(int nodeId, int setId) {
        StateWriter w = tagged("in-set");
        w.putInt(nodeId);
        w.putInt(setId);
        return w.toByteArray();
    }

    static byte[] member(NodeRecord record) {
        StateWriter w = tagged("member");
        record.encodeTo(w);
        return w.toByteArray();
    }

    static byte[] usedNodeId(int nodeId) {
        StateWriter w = tagged("used-node-id");
        w.putInt(nodeId);
        return w.toByteArray();
    }

    static byte[] usedCommitment(byte[] scopedCommitment) {
        StateWriter w = tagged("used-commitment");
        w.put(scopedCommitment);
        return w.toByteArray();
    }

    static byte[] identity(DeviceIdentity identity) {
        StateWriter w = tagged("identity");
        identity.encodeTo(w);
        return w.toByteArray();
    }

    /** A public key some identity holds or held, with that identity's name. */
    static byte[] keyOwner(byte[] key, String name) {
        StateWriter w = tagged("key-owner");
        w.put(key);
        w.putByte(name.length());
        w.put(name.getBytes(StandardCharsets.US_ASCII));
        return w.toByteArray();
    }

    /** An accepted key operation of the log (its height and index place it). */
    static byte[] operation(RefreshEntry entry) {
        StateWriter w = tagged("operation");
        entry.encodeTo(w);
        return w.toByteArray();
    }

    static byte[] removal(RemovalEntry removal) {
        StateWriter w = tagged("removal");
        removal.encodeTo(w);
        return w.toByteArray();
    }

    /** A live policy (its signed encoding, which its id hashes). */
    static byte[] policy(byte[] encodedPolicy) {
        StateWriter w = tagged("authz-policy");
        w.putBlob(encodedPolicy);
        return w.toByteArray();
    }

    /** A device bound to the owner key of its first policy. */
    static byte[] deviceOwner(String device, byte[] owner) {
        StateWriter w = tagged("authz-device-owner");
        w.putByte(device.length());
        w.put(device.getBytes(StandardCharsets.US_ASCII));
        w.put(owner);
        return w.toByteArray();
    }

    static byte[] usedPolicyId(byte[] id) {
        StateWriter w = tagged("authz-used-policy-id");
        w.put(id);
        return w.toByteArray();
    }

    static byte[] usedCti(byte[] cti) {
        StateWriter w = tagged("authz-used-cti");
        w.put(cti);
        return w.toByteArray();
    }

    static byte[] token(TokenEntry token) {
        StateWriter w = tagged("authz-token");
        token.encodeTo(w);
        return w.toByteArray();
    }

    static byte[] revocation(byte[] cti, AuthorizationRegistry.Revocation r) {
        StateWriter w = tagged("authz-revocation");
        w.put(cti);
        w.putLong(r.height());
        w.putLong(r.exp());
        return w.toByteArray();
    }

    private static StateWriter tagged(String kind) {
        StateWriter w = new StateWriter();
        w.putByte(kind.length());
        w.put(kind.getBytes(StandardCharsets.US_ASCII));
        return w;
    }
}
