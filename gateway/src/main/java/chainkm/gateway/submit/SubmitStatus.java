package chainkm.gateway.submit;

/** Where one submitted operation stands; {@link #toString()} is the word the control API prints. */
public enum SubmitStatus {
    /** In a committed block. */
    COMMITTED("committed"),
    /** Sync mode: an attempt passed CheckTx; the gateway tracks it until it lands. */
    ACCEPTED("accepted"),
    /** Refused by the ledger (or given up); final. */
    REFUSED("refused");

    private final String word;

    SubmitStatus(String word) {
        this.word = word;
    }

    @Override
    public String toString() {
        return word;
    }
}
