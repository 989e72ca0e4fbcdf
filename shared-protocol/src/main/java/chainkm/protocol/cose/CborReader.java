package chainkm.protocol.cose;

import java.util.Arrays;

/**
 * Reads the CBOR items of a COSE message, strictly: only the deterministic encoding
 * {@link CborWriter} produces is accepted (every head as short as its value allows, definite
 * lengths only), so each message chainkm accepts has exactly one encoding. Anything else —
 * a longer-than-needed head, an indefinite length, a length past the end, a float or simple
 * value, an integer beyond a Java long — is a {@link CoseFormatException} that says what was
 * wrong and where, never what the bytes were.
 */
final class CborReader {
    static final int UNSIGNED = 0;
    static final int NEGATIVE = 1;
    static final int BYTES = 2;
    static final int TEXT = 3;
    static final int ARRAY = 4;
    static final int MAP = 5;
    static final int TAG = 6;
    static final int SIMPLE = 7;

    private static final String[] TYPE_NAMES = {
        "an unsigned integer", "a negative integer", "a byte string", "a text string",
        "an array", "a map", "a tag", "a float or simple value"};

    private final byte[] in;
    private final String what;
    private int at;

    CborReader(byte[] in, String what) {
        this.in = in;
        this.what = what;
    }

    int position() {
        return at;
    }

    boolean atEnd() {
        return at == in.length;
    }

    /** The major type of the next item, without reading it. */
    int peekType() throws CoseFormatException {
        if (atEnd()) {
            throw error("ends early");
        }
        return (in[at] & 0xff) >>> 5;
    }

    /** An integer (major type 0 or 1) that fits in a Java long. */
    long integer(String field) throws CoseFormatException {
        int type = peekType();
        if (type != UNSIGNED && type != NEGATIVE) {
            throw error(field + " is " + TYPE_NAMES[type] + ", not an integer");
        }
        long n = head(type, field);
        return type == UNSIGNED ? n : -1 - n;
    }

    byte[] bytes(String field) throws CoseFormatException {
        long length = expectHead(BYTES, field);
        if (length > in.length - at) {
            throw error(field + " claims " + length + " bytes, " + (in.length - at) + " remain");
        }
        byte[] out = Arrays.copyOfRange(in, at, at + (int) length);
        at += (int) length;
        return out;
    }

    /** The number of items of a definite-length array. */
    long array(String field) throws CoseFormatException {
        return expectHead(ARRAY, field);
    }

    /** The number of entries of a definite-length map. */
    long map(String field) throws CoseFormatException {
        return expectHead(MAP, field);
    }

    long tag(String field) throws CoseFormatException {
        return expectHead(TAG, field);
    }

    void expectEnd() throws CoseFormatException {
        if (!atEnd()) {
            throw error((in.length - at) + " bytes follow the message");
        }
    }

    /** The encoded bytes from {@code from} to the current position (a map key, for order checks). */
    byte[] slice(int from) {
        return Arrays.copyOfRange(in, from, at);
    }

    CoseFormatException error(String detail) {
        return new CoseFormatException(what + ": " + detail);
    }

    private long expectHead(int major, String field) throws CoseFormatException {
        int type = peekType();
        if (type != major) {
            throw error(field + " is " + TYPE_NAMES[type] + ", not " + TYPE_NAMES[major]);
        }
        return head(type, field);
    }

    /** Reads a head of the given major type and returns its argument, refusing non-preferred encodings. */
    private long head(int major, String field) throws CoseFormatException {
        int info = in[at] & 0x1f;
        at++;
        if (info < 24) {
            return info;
        }
        int size = switch (info) {
            case 24 -> 1;
            case 25 -> 2;
            case 26 -> 4;
            case 27 -> 8;
            case 31 -> throw error(field + " has an indefinite length");
            default -> throw error(field + " has a reserved additional information value " + info);
        };
        if (size > in.length - at) {
            throw error("ends early in " + field);
        }
        long value = 0;
        for (int i = 0; i < size; i++) {
            value = value << 8 | (in[at + i] & 0xff);
        }
        at += size;
        long smallest = switch (size) {
            case 1 -> 24;
            case 2 -> 0x100;
            case 4 -> 0x10000;
            default -> 0x100000000L;
        };
        // a negative long here is an 8-byte argument of 2^63 or more
        if (Long.compareUnsigned(value, smallest) < 0) {
            throw error(field + " is not in preferred (shortest) encoding");
        }
        if (value < 0) {
            throw error(field + " is too large");
        }
        return value;
    }
}
