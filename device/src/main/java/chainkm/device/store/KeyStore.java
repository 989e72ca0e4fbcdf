package chainkm.device.store;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Read-only view of a device's keys (its KEKs and DEKs), the seq of the last rekeying it
 * applied, and its named counters. What it returns are copies: callers may
 * {@linkplain KeyMaterial#destroy() destroy} them when done.
 */
public interface KeyStore {
    /** A copy of the key with this id, if the store holds it. */
    Optional<KeyMaterial> get(KeyId id);

    /** The ids of every key held, in {@link KeyId} order (a snapshot). */
    SortedSet<KeyId> ids();

    /** How many keys the store holds. */
    int size();

    /** The seq of the last rekeying operation applied; 0 for a new store. */
    long seq();

    /**
     * The high-water mark of a named counter: every value below it may have been handed out by
     * {@link EditableKeyStore#nextNonceCounter}; 0 if nothing was ever reserved under that name.
     */
    long counter(String name);
}
