package chainkm.device.store;

import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * A {@link KeyStore} that can change. Every change is durable when the method returns (for a
 * persistent store), and atomic: if it cannot be written the store is left exactly as it was
 * and an {@link UncheckedIOException} is thrown.
 *
 * <p>Single changes each write once; {@link #edit} groups many into one all-or-nothing write,
 * as a rekey message that replaces many keys must.
 */
public interface EditableKeyStore extends KeyStore {
    /** Adds or replaces the key with this id (the store keeps its own copy). */
    void put(KeyMaterial key);

    /** Removes the key with this id; false if it was not there. */
    boolean remove(KeyId id);

    /**
     * Records the seq of the last rekeying applied.
     *
     * @throws IllegalArgumentException if negative
     */
    void setSeq(long seq);

    /**
     * Sets a named value (the device's node id, set id...), read back with {@link #counter}.
     * Unlike {@link #nextNonceCounter} it may go down and may be used inside {@link #edit}.
     */
    void setValue(String name, long value);

    /**
     * Reserves the block of counter values [first, first + reserve) and returns first. The new
     * high-water mark is made durable before the method returns, so values handed out are never
     * handed out again, even after a crash or reboot (values reserved but never used are
     * skipped). Use it for AES-CCM nonces.
     *
     * @throws IllegalArgumentException if reserve is not positive or the name is empty or longer
     *         than 255 UTF-8 bytes
     * @throws IllegalStateException if called inside {@link #edit}, or once the counter would
     *         pass Long.MAX_VALUE
     */
    long nextNonceCounter(String name, int reserve);

    /**
     * Applies several changes and writes once: either all of them become durable or, if changes
     * throws (the exception propagates) or the write fails, none. The store passed to changes
     * sees the changes made so far; it must not be kept, and cannot reserve counters. Reads of
     * this store from inside changes still see the state before the edit.
     */
    void edit(Consumer<EditableKeyStore> changes);
}
