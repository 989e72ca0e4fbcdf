package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The device identities of the ledger state: by name, and every public key any identity ever
 * held with the name that held it, so that a key is used by one identity only, ever (an old
 * enrollment key or a revoked device's key never comes back under another name). Sorted maps
 * only: the encoding is the same on every validator.
 */
final class IdentityRegistry {
    private final TreeMap<String, DeviceIdentity> byName;
    private final TreeMap<byte[], String> keyOwners;

    private IdentityRegistry(TreeMap<String, DeviceIdentity> byName, TreeMap<byte[], String> keyOwners) {
        this.byName = byName;
        this.keyOwners = keyOwners;
    }

    static IdentityRegistry empty() {
        return new IdentityRegistry(new TreeMap<>(), new TreeMap<>(Arrays::compareUnsigned));
    }

    IdentityRegistry copy() {
        TreeMap<byte[], String> keys = new TreeMap<>(Arrays::compareUnsigned);
        keys.putAll(keyOwners);
        return new IdentityRegistry(new TreeMap<>(byName), keys);
    }

    /**
     * What commitment uniqueness is scoped to: SHA-256(name || commitment). A gateway that copies
     * a newcomer's commitment into a join of an identity of its own uses up only its own pair.
     */
    static byte[] scopedCommitment(String name, byte[] commitment) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        return Sha256.hash(ByteBuffer.allocate(n.length + commitment.length).put(n).put(commitment).array());
    }

    Optional<DeviceIdentity> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The identity whose current key {@code key} is (a key it held before opens nothing). */
    Optional<DeviceIdentity> byKey(byte[] key) {
        String name = keyOwners.get(key);
        DeviceIdentity id = name == null ? null : byName.get(name);
        return id != null && id.keyEquals(key) ? Optional.of(id) : Optional.empty();
    }

    /** The name that holds or held {@code key}, if any identity ever did. */
    Optional<String> keyOwner(byte[] key) {
        return Optional.ofNullable(keyOwners.get(key));
    }

    SortedMap<String, DeviceIdentity> all() {
        return Collections.unmodifiableSortedMap(byName);
    }

    /** Every key any identity ever held, with its name, in key order. */
    void forEachKeyOwner(BiConsumer<byte[], String> action) {
        keyOwners.forEach((key, name) -> action.accept(key.clone(), name));
    }

    int size() {
        return byName.size();
    }

    void put(DeviceIdentity identity) {
        byName.put(identity.name(), identity);
        keyOwners.put(identity.key(), identity.name());
    }

    void encodeTo(StateWriter out) {
        out.putInt(byName.size());
        byName.values().forEach(i -> i.encodeTo(out));
        out.putInt(keyOwners.size());
        keyOwners.forEach((key, name) -> {
            out.put(key);
            out.putByte(name.length());
            out.put(name.getBytes(StandardCharsets.US_ASCII));
        });
    }

    static IdentityRegistry decodeFrom(ByteBuffer in) {
        IdentityRegistry r = empty();
        for (int i = in.getInt(); i > 0; i--) {
            DeviceIdentity id = DeviceIdentity.decodeFrom(in);
            r.byName.put(id.name(), id);
        }
        for (int i = in.getInt(); i > 0; i--) {
            byte[] key = new byte[Ed25519.PUBLIC_KEY_SIZE];
            in.get(key);
            r.keyOwners.put(key, DeviceIdentity.readName(in));
        }
        return r;
    }
}
