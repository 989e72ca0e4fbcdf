package chainkm.gateway.submit;

/**
 * Where one operation's response time went, in the terms of the paper's equation (4),
 * {@code T_r = T_k + T_e + T_a}, as this gateway measured it.
 *
 * @param keysMillis      T_k: this gateway's key manager applying the operation (generating and rolling
 *                        keys, sealing and signing the rekey messages) and handing them to the broker; NaN
 *                        while not known (the key manager runs once the block is committed)
 * @param txMillis        T_e: building and signing the transaction and having it verified (CheckTx on the
 *                        mempool's state), summed over every attempt
 * @param consensusMillis T_a: the rest of the time until the block holding it was committed; NaN while not
 *                        committed (sync mode's first answer)
 */
public record OpTiming(double keysMillis, double txMillis, double consensusMillis) {
    /** Only T_e known: the first answer of sync mode, or a refusal. */
    public static OpTiming verified(double txMillis) {
        return new OpTiming(Double.NaN, txMillis, Double.NaN);
    }

    public OpTiming withKeys(double millis) {
        return new OpTiming(millis, txMillis, consensusMillis);
    }

    /** T_k + T_e + T_a over the parts known so far. */
    public double totalMillis() {
        double t = txMillis;
        if (!Double.isNaN(keysMillis)) {
            t += keysMillis;
        }
        if (!Double.isNaN(consensusMillis)) {
            t += consensusMillis;
        }
        return t;
    }
}
