package chainkm.gateway.submit;

/** The paper's two ways for a gateway to submit a transaction (kandi2020, section V). */
public enum SubmitMode {
    /** {@code broadcast_tx_commit}: answer once the block holding the transaction is committed. */
    COMMIT,
    /**
     * {@code broadcast_tx_sync}: answer once CheckTx accepted it; the gateway then tracks the
     * transaction and resubmits it until it lands.
     */
    SYNC;

    public static SubmitMode parse(String s) {
        for (SubmitMode m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + s + "' (expected commit or sync)");
    }
}
