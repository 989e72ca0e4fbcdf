package chainkm.protocol.cose;

/**
 * Where a resource server takes the sequence number of each protected object it seals. The
 * number makes the object's AES-CCM nonce (see {@link ProtectedObject}), so a source must never
 * return a number twice over the device's whole life: not after a crash, not after a reboot,
 * not after the group key changed. Numbers only grow, which also lets a client refuse an old
 * object presented as new.
 *
 * <p>On a device, back it with a durable reservation of blocks ({@link BlockNonceSource}), as
 * the D2D endpoint does for its message counter: the key store's
 * {@code nextNonceCounter(name, count)} writes the new high-water mark (atomically, fsync'd)
 * before any number of the block is used, so a reboot skips the unused rest of a block instead
 * of handing it out again.
 */
@FunctionalInterface
public interface NonceSource {
    /**
     * The next sequence number, from 0 to {@link ProtectedObject#MAX_SEQUENCE}, never returned before.
     *
     * @throws IllegalStateException when no number can be guaranteed fresh (the durable
     *         reservation failed, or the numbers are exhausted): the caller must not seal
     */
    long next();
}
