package chainkm.protocol.ledger;

/** A transaction whose bytes are not a well-formed chainkm ledger transaction. */
public final class TxFormatException extends Exception {
    public enum Reason {
        EMPTY,
        TRUNCATED,
        TRAILING_BYTES,
        UNSUPPORTED_VERSION,
        UNKNOWN_OPERATION,
        EXTENSION_TOO_LARGE
    }

    private final Reason reason;

    public TxFormatException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
