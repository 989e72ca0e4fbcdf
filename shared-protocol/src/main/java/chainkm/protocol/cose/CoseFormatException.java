package chainkm.protocol.cose;

/**
 * Bytes that are not a COSE message chainkm accepts: not well-formed or not deterministic CBOR,
 * the wrong structure or tag, another algorithm, a header it does not know, a field of the wrong
 * size, trailing bytes. The message says which rule was broken; it never carries key bytes or
 * plaintext.
 */
public final class CoseFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public CoseFormatException(String detail) {
        super(detail);
    }
}
