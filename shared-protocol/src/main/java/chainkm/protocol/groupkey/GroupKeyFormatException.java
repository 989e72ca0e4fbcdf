package chainkm.protocol.groupkey;

/** Bytes that are not a well-formed session broadcast or saved group state (truncated, garbage, out of range). */
public final class GroupKeyFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public GroupKeyFormatException(String message) {
        super(message);
    }
}
