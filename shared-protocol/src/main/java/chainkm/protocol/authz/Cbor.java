package chainkm.protocol.authz;

import com.upokecenter.cbor.CBORException;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Deterministic CBOR (RFC 8949 section 4.2.1, "core deterministic encoding") on top of the
 * upokecenter library: the library parses and writes CBOR; this class puts map keys in the
 * bytewise order of their encodings (the library's own canonical mode sorts CTAP2's
 * length-first way) and refuses, on reading, any input that is not the deterministic encoding
 * of what it decodes to (unsorted keys, longer-than-needed integers or lengths, indefinite
 * lengths, trailing bytes). Tags and floats are refused: no chainkm statement uses them.
 */
public final class Cbor {
    /** The largest statement or token chainkm reads (the ledger refuses larger extensions of authorization operations). */
    public static final int MAX_SIZE = 4096;

    private Cbor() {}

    /** The deterministic encoding of {@code value}. */
    public static byte[] encode(CBORObject value) {
        return canonical(value).EncodeToBytes();
    }

    /** Decodes {@code bytes}, which must be at most {@link #MAX_SIZE} bytes of deterministic CBOR. */
    public static CBORObject decode(byte[] bytes, String what) throws AuthzFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new AuthzFormatException(what + ": missing");
        }
        if (bytes.length > MAX_SIZE) {
            throw new AuthzFormatException(what + ": " + bytes.length + " bytes, at most " + MAX_SIZE);
        }
        CBORObject value;
        byte[] again;
        try {
            value = CBORObject.DecodeFromBytes(bytes);
            again = encode(value);
        } catch (CBORException | IllegalArgumentException | IllegalStateException e) {
            throw new AuthzFormatException(what + ": not well-formed CBOR (" + e.getMessage() + ")");
        }
        if (!Arrays.equals(again, bytes)) {
            throw new AuthzFormatException(what + ": not in deterministic CBOR encoding (RFC 8949 section 4.2.1)");
        }
        return value;
    }

    /** A copy of {@code v} whose maps iterate in deterministic key order; tags and floats are refused. */
    private static CBORObject canonical(CBORObject v) {
        if (v.isTagged()) {
            throw new IllegalArgumentException("CBOR tags are not used in chainkm statements");
        }
        CBORType type = v.getType();
        switch (type) {
            case Array -> {
                CBORObject out = CBORObject.NewArray();
                for (int i = 0; i < v.size(); i++) {
                    out.Add(canonical(v.get(i)));
                }
                return out;
            }
            case Map -> {
                TreeMap<byte[], CBORObject[]> sorted = new TreeMap<>(Arrays::compareUnsigned);
                for (Map.Entry<CBORObject, CBORObject> e : v.getEntries()) {
                    CBORObject key = canonical(e.getKey());
                    sorted.put(key.EncodeToBytes(), new CBORObject[] {key, canonical(e.getValue())});
                }
                CBORObject out = CBORObject.NewOrderedMap();
                sorted.values().forEach(kv -> out.Add(kv[0], kv[1]));
                return out;
            }
            case FloatingPoint -> throw new IllegalArgumentException("floating-point values are not used in chainkm statements");
            default -> {
                return v;
            }
        }
    }

    // --- typed reading, with errors that name the field ----------------------------------

    /** A map whose keys are small integers, all of them known to the reader. */
    static final class Fields {
        private final CBORObject map;
        private final String what;

        Fields(CBORObject map, String what, Set<Integer> known) throws AuthzFormatException {
            if (map.getType() != CBORType.Map) {
                throw new AuthzFormatException(what + ": not a CBOR map");
            }
            for (CBORObject key : map.getKeys()) {
                if (key.getType() != CBORType.Integer || !key.CanValueFitInInt32() || !known.contains(key.AsInt32Value())) {
                    throw new AuthzFormatException(what + ": unknown field " + key);
                }
            }
            this.map = map;
            this.what = what;
        }

        boolean has(int key) {
            return map.ContainsKey(CBORObject.FromObject(key));
        }

        CBORObject get(int key) throws AuthzFormatException {
            CBORObject v = map.get(CBORObject.FromObject(key));
            if (v == null) {
                throw new AuthzFormatException(what + ": field " + key + " is missing");
            }
            return v;
        }

        byte[] bytes(int key, int length) throws AuthzFormatException {
            return Cbor.bytes(get(key), length, what + " field " + key);
        }

        String text(int key) throws AuthzFormatException {
            return Cbor.text(get(key), what + " field " + key);
        }

        long uint(int key) throws AuthzFormatException {
            return Cbor.uint(get(key), what + " field " + key);
        }
    }

    static byte[] bytes(CBORObject v, int length, String what) throws AuthzFormatException {
        if (v.getType() != CBORType.ByteString) {
            throw new AuthzFormatException(what + ": not a byte string");
        }
        byte[] b = v.GetByteString();
        if (length >= 0 && b.length != length) {
            throw new AuthzFormatException(what + ": " + b.length + " bytes, " + length + " expected");
        }
        return b;
    }

    static String text(CBORObject v, String what) throws AuthzFormatException {
        if (v.getType() != CBORType.TextString) {
            throw new AuthzFormatException(what + ": not a text string");
        }
        return v.AsString();
    }

    /** An unsigned integer that fits in a Java long (up to 2^63 - 1). */
    static long uint(CBORObject v, String what) throws AuthzFormatException {
        if (v.getType() != CBORType.Integer || !v.CanValueFitInInt64() || v.AsInt64Value() < 0) {
            throw new AuthzFormatException(what + ": not an unsigned integer below 2^63");
        }
        return v.AsInt64Value();
    }

    static List<CBORObject> array(CBORObject v, int min, int max, String what) throws AuthzFormatException {
        if (v.getType() != CBORType.Array) {
            throw new AuthzFormatException(what + ": not an array");
        }
        if (v.size() < min || v.size() > max) {
            throw new AuthzFormatException(what + ": " + v.size() + " items, " + min + " to " + max + " expected");
        }
        List<CBORObject> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(v.get(i));
        }
        return out;
    }
}
