package chainkm.protocol.rekey;

/** Bytes that are not a well-formed message of this protocol (truncated, garbage, unknown fields). */
public final class MessageFormatException extends Exception {
    public MessageFormatException(String message) {
        super(message);
    }
}
