package chainkm.gateway.ledger;

import chainkm.protocol.crypto.Sha256;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A digest of the ledger state seen as a multiset of entries (a member, an identity, a used
 * node id, ...; {@link DigestEntries} encodes each with a domain tag), updated per change:
 * {@link #add} and {@link #remove} cost one multiplication each, whatever the size of the
 * state, and the result does not depend on the order of the changes.
 *
 * <p>Construction (MuHash, as Bitcoin Core's MuHash3072): each entry maps to a number modulo
 * the prime p = 2<sup>3072</sup> − 1103717 (SHA-256 of the entry, expanded to 384 bytes by
 * SHA-256 in counter mode); the digest is the product of the added entries divided by the
 * product of the removed ones, modulo p, hashed to 32 bytes. Numerator and denominator are kept
 * apart so that a removal costs a multiplication, not an inversion; {@link #value()} inverts
 * once. Why not a sum modulo 2<sup>256</sup> of SHA-256 values (AdHash): its entries are
 * largely the editor's choice (commitments, node ids, keys), and Wagner's generalized birthday
 * algorithm finds some 2<sup>15</sup> such entries whose hashes sum to any target in about
 * 2<sup>31</sup> hash computations at 256 bits, so a validator's operator could alter its state while keeping the digest;
 * in the multiplicative group of a 3072-bit prime the same forgery is a discrete-logarithm
 * problem (about 128-bit security). XOR is out: an entry counted twice would cancel.
 *
 * <p>Not thread-safe; {@link #copy()} is cheap (two immutable numbers).
 */
final class StateDigest {
    /** 2^3072 - 1103717, the largest 3072-bit safe prime (MuHash3072's modulus). */
    static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(3072).subtract(BigInteger.valueOf(1103717));
    static final int ELEMENT_BYTES = 384;
    private static final byte[] ELEMENT_TAG = "chainkm/v1/state-element".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST_TAG = "chainkm/v1/state-digest".getBytes(StandardCharsets.US_ASCII);

    private BigInteger numerator;
    private BigInteger denominator;
    /** {@link #value()} until the next change. */
    private byte[] cached;

    private StateDigest(BigInteger numerator, BigInteger denominator) {
        this.numerator = numerator;
        this.denominator = denominator;
    }

    /** The digest of the empty multiset. */
    static StateDigest empty() {
        return new StateDigest(BigInteger.ONE, BigInteger.ONE);
    }

    StateDigest copy() {
        StateDigest c = new StateDigest(numerator, denominator);
        c.cached = cached;
        return c;
    }

    /** One more occurrence of {@code entry}. */
    void add(byte[] entry) {
        numerator = numerator.multiply(element(entry)).mod(MODULUS);
        cached = null;
    }

    /** One occurrence of {@code entry} fewer (the caller removes only what it added). */
    void remove(byte[] entry) {
        denominator = denominator.multiply(element(entry)).mod(MODULUS);
        cached = null;
    }

    /** {@code remove(before)} then {@code add(after)}, for an entry that changed. */
    void replace(byte[] before, byte[] after) {
        remove(before);
        add(after);
    }

    /** The 32-byte digest: SHA-256 of the tag and the multiset's number (384 bytes, big-endian). */
    byte[] value() {
        if (cached == null) {
            if (!denominator.equals(BigInteger.ONE)) {
                numerator = numerator.multiply(denominator.modInverse(MODULUS)).mod(MODULUS);
                denominator = BigInteger.ONE;
            }
            cached = Sha256.hash(DIGEST_TAG, fixedWidth(numerator));
        }
        return cached.clone();
    }

    /** The entry's number in [1, p): SHA-256(tag || entry) expanded by SHA-256(seed || counter). */
    static BigInteger element(byte[] entry) {
        byte[] seed = Sha256.hash(ELEMENT_TAG, entry);
        byte[] wide = new byte[ELEMENT_BYTES];
        MessageDigest sha = Sha256.newDigest();
        for (int i = 0; i < ELEMENT_BYTES / Sha256.SIZE; i++) {
            sha.update(seed);
            sha.update((byte) i);
            System.arraycopy(sha.digest(), 0, wide, i * Sha256.SIZE, Sha256.SIZE);
        }
        BigInteger e = new BigInteger(1, wide).mod(MODULUS);
        if (e.signum() == 0) {
            // probability 2^-3072: would make the product 0 for good
            throw new IllegalStateException("a state entry hashes to zero modulo p");
        }
        return e;
    }

    private static byte[] fixedWidth(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[ELEMENT_BYTES];
        int copy = Math.min(raw.length, ELEMENT_BYTES); // toByteArray may add a leading sign byte
        System.arraycopy(raw, raw.length - copy, out, ELEMENT_BYTES - copy, copy);
        return out;
    }
}
