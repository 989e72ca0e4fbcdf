package chainkm.protocol.cose;

/**
 * The outside of a COSE message: an optional CBOR tag naming the structure (RFC 9052 section 2),
 * then a definite-length array of a fixed number of items, and nothing after it.
 */
final class CoseEnvelope {
    private CoseEnvelope() {}

    /** A reader positioned at the first item of the array, after the tag if there is one. */
    static CborReader open(byte[] bytes, long tag, int items, int maxSize, String what) throws CoseFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new CoseFormatException(what + ": missing");
        }
        if (bytes.length > maxSize) {
            throw new CoseFormatException(what + ": " + bytes.length + " bytes, at most " + maxSize);
        }
        CborReader r = new CborReader(bytes, what);
        if (r.peekType() == CborReader.TAG) {
            long found = r.tag("the tag");
            if (found != tag) {
                throw r.error("CBOR tag " + found + ", not " + tag);
            }
        }
        long n = r.array("the message");
        if (n != items) {
            throw r.error("an array of " + n + " items, not " + items);
        }
        return r;
    }

    /** A writer that has written the tag (when tagged) and the array head. */
    static CborWriter start(boolean tagged, long tag, int items) {
        CborWriter w = new CborWriter();
        if (tagged) {
            w.tag(tag);
        }
        return w.array(items);
    }
}
