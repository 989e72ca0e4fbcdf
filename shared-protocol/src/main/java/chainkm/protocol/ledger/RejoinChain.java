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

    /** True when {@code proof} is the next link below {@code currentAnchor}. */
    public static boolean verifies(byte[] proof, byte[] currentAnchor) {
        return proof != null && proof.length == Sha256.SIZE && Arrays.equals(Sha256.hash(proof), currentAnchor);
    }
}
