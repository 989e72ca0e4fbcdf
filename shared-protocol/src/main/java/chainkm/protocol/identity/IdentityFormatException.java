package chainkm.protocol.identity;

/** Bytes that are not a well-formed identity statement (the ledger refuses them as malformed). */
public final class IdentityFormatException extends Exception {
    public IdentityFormatException(String detail) {
        super(detail);
    }
}
