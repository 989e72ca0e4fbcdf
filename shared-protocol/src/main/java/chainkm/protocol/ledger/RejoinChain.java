package chainkm.protocol.ledger;

import chainkm.protocol.crypto.Sha256;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The device's proof of membership for a rejoin: a SHA-256 hash chain whose seed only the
 * device ever holds. At join the ledger records the anchor H^N(seed) (in the record's
 * secret-code hash field); the k-th rejoin reveals H^(N-k)(seed), which the ledger checks
 * hashes to the current anchor and then keeps as the new anchor. A proof seen once is useless
 * afterwards (the anchor has moved past it), and nothing on the ledger or in a gateway's
 * memory lets anyone compute the next one (that would invert SHA-256).
 */
public final class RejoinChain {
    /** Rejoins a device can make before it must join afresh. */
    public static final int LENGTH = 1024;

    private RejoinChain() {}

    public static byte[] newSeed(SecureRandom random) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        return seed;
    }

    /** H^times(seed). */
    static byte[] iterate(byte[] seed, int times) {
        byte[] v = seed.clone();
        for (int i = 0; i < times; i++) {
            v = Sha256.hash(v);
        }
        return v;
    }

    /** The anchor recorded at join: H^LENGTH(seed). */
    public static byte[] anchor(byte[] seed) {
        return iterate(seed, LENGTH);
    }

    /**
     * The proof of the {@code k}-th rejoin (k = 1, 2, ...): H^(LENGTH - k)(seed).
     *
     * @throws IllegalStateException once the chain is used up
     */
    public static byte[] proof(byte[] seed, int k) {
        if (k < 1 || k >= LENGTH) {
            throw new IllegalStateException("rejoin chain used up (" + k + " of " + (LENGTH - 1) + ")");
        }
        return iterate(seed, LENGTH - k);
    }

    /**
     * Links a device may skip. It stores the index of a link before revealing it, and reveals
     * one only inside a DTLS session with a gateway that has just answered a probe, so a link
     * is lost only when that gateway then fails to get the REJOIN committed (crash, timeout,
     * answer lost) or the device crashes in between. 64 covers a device that lost the answer
     * from each of 8 gateways in each of 8 rounds of an outage, while a check stays at most 64
     * SHA-256 of 32 bytes (tens of microseconds) per REJOIN on every validator. A device whose
     * next link is further down re-anchors with its identity key (a REJOIN with extension).
     */
    public static final int MAX_SKIP = 64;

    /**
     * True when {@code proof} lies below {@code currentAnchor} on its chain, at most
     * {@link #MAX_SKIP} links down: H^j(proof) == anchor for some 1 <= j <= MAX_SKIP.
     */
    public static boolean verifies(byte[] proof, byte[] currentAnchor) {
        if (proof == null || proof.length != Sha256.SIZE || currentAnchor == null) {
            return false;
        }
        byte[] v = proof;
        for (int j = 1; j <= MAX_SKIP; j++) {
            v = Sha256.hash(v);
            if (Arrays.equals(v, currentAnchor)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code proof} is the anchor itself or lies above it (H^j(anchor) for j < depth):
     * a link already revealed, or one anybody can compute from the ledger. Used to tell a
     * replayed or cloned proof from a mere wrong one.
     */
    public static boolean isSpent(byte[] proof, byte[] currentAnchor, int depth) {
        if (proof == null || proof.length != Sha256.SIZE || currentAnchor == null) {
            return false;
        }
        byte[] v = currentAnchor;
        for (int j = 0; j < depth; j++) {
            if (Arrays.equals(v, proof)) {
                return true;
            }
            v = Sha256.hash(v);
        }
        return false;
    }
}
