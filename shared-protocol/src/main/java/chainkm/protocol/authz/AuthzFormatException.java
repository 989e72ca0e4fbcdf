package chainkm.protocol.authz;

/** Bytes that are not a well-formed authorization statement or token (the ledger refuses them as malformed). */
public final class AuthzFormatException extends Exception {
    public AuthzFormatException(String detail) {
        super(detail);
    }
}
