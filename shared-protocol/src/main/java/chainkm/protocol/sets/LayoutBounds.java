package chainkm.protocol.sets;

/**
 * The bounds that {@link Assignment} and {@link Reorder} guarantee, as code.
 *
 * <p>Notation: {@code n} members in total, {@code p} gateways, {@code k(x) = ceil(sqrt(x))},
 * and for a gateway g: {@code m_g} members and {@code c_g} sets owned by g. After every join
 * (Assignment, then {@link SetLayout#add}) and every leave ({@link SetLayout#remove}, then
 * {@link Reorder#afterLeave}), starting from the empty layout, {@link #check} holds:
 * <ol>
 *   <li><b>maxSetSize</b>: every set has between 1 and {@code 2 k(n)} members.</li>
 *   <li><b>maxSetsOfGateway</b>: {@code (c_g - 1) k(m_g) < m_g}, i.e.
 *       {@code c_g <= ceil(m_g / k(m_g)) <= k(m_g)}: a gateway's sets are nearly as few as if
 *       its members were packed into sets of {@code sqrt(m_g)}.</li>
 *   <li><b>maxSetCount</b>: {@code setCount <= floor(min(2 sqrt(n), sqrt(p n))) + p}.</li>
 * </ol>
 * There is no per-set lower bound (a gateway with one device has a set of one). Instead, right
 * after {@code Reorder.afterLeave(layout, set, g)} the sets of g are compact
 * ({@link #checkCompact}): the smallest one does not fit into the room left below
 * {@code k(n)} in the others, so at most one set of g has {@code k(n)/2} members or fewer.
 *
 * <p>Why these bounds: sizes follow {@code k(n)} when the network grows (joins fill sets up to
 * {@code k(n+1)}), but nothing moves when n shrinks unless Reorder moves it. A bound of
 * {@code k(n)} would force moves at nearly every leave; with {@code 2 k(n)} a set is only cut after
 * n has fallen to about a quarter of its value when the set was filled, so cuts are rare. Set
 * counts cannot follow {@code sqrt(n)} exactly either: a gateway whose sets were filled while n was
 * small keeps them when other gateways later grow n (joins never move nodes). Bound 2 comes from
 * induction over joins and leaves (a set is only created when all of g's sets hold
 * {@code k(n+1) >= k(m_g+1)}; Reorder restores {@code (c_g - 1) k(n) < m_g} at every leave of g and
 * whenever a cut opens sets; a leave that empties a set lowers {@code c_g} with {@code m_g}).
 * Bound 3 follows: ordering gateways by the time their sets were last opened or compacted gives
 * {@code sum (c_g - 1) < sum b_g / sqrt(b_1 + ... + b_g) <= 2 sqrt(n)}, and Cauchy-Schwarz on
 * bound 2 gives {@code sqrt(p n)}. When gateways grow together the count stays near
 * {@code sqrt(n) + p}.
 */
public final class LayoutBounds {
    private LayoutBounds() {
    }

    /** {@code ceil(sqrt(n))}: the size Assignment fills sets up to, with n counting the newcomer. */
    public static int targetSetSize(int n) {
        requireNonNegative(n);
        int r = isqrt(n);
        return (long) r * r == n ? r : r + 1;
    }

    /** {@code 2 ceil(sqrt(n))}: no set ever has more members. */
    public static int maxSetSize(int n) {
        return 2 * targetSetSize(n);
    }

    /** {@code floor(min(2 sqrt(n), sqrt(p n))) + p}: no layout of n members ever has more sets. */
    public static int maxSetCount(int n, int gateways) {
        requireNonNegative(n);
        requireGateways(gateways);
        return isqrt(Math.min(4L * n, (long) gateways * n)) + gateways;
    }

    /** {@code ceil(m / ceil(sqrt(m)))}: the most sets a gateway with m members ever owns. */
    public static int maxSetsOfGateway(int m) {
        requireNonNegative(m);
        if (m == 0) {
            return 0;
        }
        int k = targetSetSize(m);
        return (m + k - 1) / k;
    }

    /**
     * Checks bounds 1-3 of the class comment and that every owner is a gateway in
     * {@code [1, gateways]}.
     *
     * @throws IllegalStateException naming the violated bound
     */
    public static void check(SetLayout layout, int gateways) {
        requireGateways(gateways);
        int n = layout.memberCount();
        int maxSize = maxSetSize(n);
        for (int setId : layout.setIds()) {
            int size = layout.size(setId);
            if (size < 1) {
                throw new IllegalStateException("set " + setId + " is empty");
            }
            if (size > maxSize) {
                throw new IllegalStateException("maxSetSize violated: set " + setId + " has " + size
                        + " members, n=" + n + " allows " + maxSize);
            }
            int owner = layout.ownerOf(setId);
            if (owner < 1 || owner > gateways) {
                throw new IllegalStateException("set " + setId + " is owned by gateway " + owner
                        + ", outside 1.." + gateways);
            }
        }
        for (int g : layout.owners()) {
            int m = layout.memberCountOf(g);
            int c = layout.setsOwnedBy(g).size();
            if (c > maxSetsOfGateway(m)) {
                throw new IllegalStateException("maxSetsOfGateway violated: gateway " + g + " owns " + c
                        + " sets for " + m + " members, at most " + maxSetsOfGateway(m) + " allowed");
            }
        }
        int max = maxSetCount(n, gateways);
        if (layout.setCount() > max) {
            throw new IllegalStateException("maxSetCount violated: " + layout.setCount() + " sets for n=" + n
                    + " and p=" + gateways + ", at most " + max + " allowed");
        }
    }

    /**
     * Checks that a gateway's sets are compact for the current n, as Reorder leaves them: the
     * smallest set does not fit into the room the others have below {@code targetSetSize(n)}.
     *
     * @throws IllegalStateException if a set of the gateway could be dissolved into its others
     */
    public static void checkCompact(SetLayout layout, int gatewayId) {
        int smallest = Reorder.dissolvableSet(layout, gatewayId, targetSetSize(layout.memberCount()));
        if (smallest != Reorder.NONE) {
            throw new IllegalStateException("compactness violated: set " + smallest + " of gateway " + gatewayId
                    + " fits into the room of the gateway's other sets");
        }
    }

    /** {@code floor(sqrt(x))}, exact for every non-negative long up to 2^62. */
    static int isqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return (int) r;
    }

    private static void requireNonNegative(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative count " + n);
        }
    }

    private static void requireGateways(int gateways) {
        if (gateways < 1) {
            throw new IllegalArgumentException("need at least one gateway, got " + gateways);
        }
    }
}
