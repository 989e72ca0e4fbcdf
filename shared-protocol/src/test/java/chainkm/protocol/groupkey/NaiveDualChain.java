package chainkm.protocol.groupkey;

import chainkm.protocol.crypto.Sha256;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

/**
 * A dual hash-chain scheme without the fix, to show the collusion the real scheme resists: a
 * forward chain F_{j+1} = H(F_j), of which a member gets F at its first session; a backward chain
 * B_j = H(B_{j+1}) precomputed to the last session, of which session j's broadcast gives B_j to
 * the current members; K_j = H(F_j || B_j). A member revoked at session e keeps every F from its
 * join on; a member joining at t gets B_t and so every B before it.
 */
final class NaiveDualChain {
    private final byte[][] forward;
    private final byte[][] backward;

    NaiveDualChain(int sessions, long seed) {
        Random random = new Random(seed);
        forward = new byte[sessions + 1][];
        backward = new byte[sessions + 2][];
        forward[1] = new byte[32];
        random.nextBytes(forward[1]);
        for (int j = 2; j <= sessions; j++) {
            forward[j] = Sha256.hash(forward[j - 1]);
        }
        backward[sessions + 1] = new byte[32];
        random.nextBytes(backward[sessions + 1]);
        for (int j = sessions; j >= 1; j--) {
            backward[j] = Sha256.hash(backward[j + 1]);
        }
    }

    byte[] key(long j) {
        return Sha256.hash(concat(forward[(int) j], backward[(int) j]));
    }

    /** The sessions a member in [first, end) and a member from {@code joined} on compute together, outside both. */
    TreeSet<Long> collusion(long first, long end, long joined) {
        byte[] f = forward[(int) first];           // what the revoked member got at its join
        byte[] b = backward[(int) joined];         // what the new member got at its first broadcast
        TreeSet<Long> gap = new TreeSet<>();
        for (long j = first; j < joined; j++) {
            byte[] fj = f;
            for (long i = first; i < j; i++) {
                fj = Sha256.hash(fj);              // forward from its join
            }
            byte[] bj = b;
            for (long i = joined; i > j; i--) {
                bj = Sha256.hash(bj);              // backward from the newcomer's first session
            }
            if (Arrays.equals(Sha256.hash(concat(fj, bj)), key(j)) && j >= end) {
                gap.add(j);
            }
        }
        return gap;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
