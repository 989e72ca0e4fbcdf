package chainkm.protocol.authz;

import com.upokecenter.cbor.CBORObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An access scope in the AIF format of RFC 9237 with REST-method permissions: an array of
 * {@code [path, methods]}, where path is a resource's local URI part (starting with '/') and
 * methods a bitmask with bit (code - 1) set for each CoAP method code allowed (GET 1, POST 2,
 * PUT 4, DELETE 8, FETCH 16, PATCH 32, iPATCH 64). RFC 9237's dynamic-resource bits (2^32 and
 * up) are not used. Paths are unique within a scope.
 */
public record Aif(List<Entry> entries) {
    public static final long GET = 1;
    public static final long POST = 2;
    public static final long PUT = 4;
    public static final long DELETE = 8;
    public static final long FETCH = 16;
    public static final long PATCH = 32;
    public static final long IPATCH = 64;
    public static final long ALL_METHODS = 127;
    public static final int MAX_ENTRIES = 16;
    public static final int MAX_PATH_LENGTH = 255;

    /** One resource and the methods allowed on it. */
    public record Entry(String path, long methods) {
        public Entry {
            checkPath(path);
            if (methods <= 0 || (methods & ~ALL_METHODS) != 0) {
                throw new IllegalArgumentException("AIF methods are a non-zero mask of GET..iPATCH (1 to 127), not " + methods);
            }
        }
    }

    public Aif {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("an AIF scope has 1 to " + MAX_ENTRIES + " entries");
        }
        Set<String> paths = new HashSet<>();
        for (Entry e : entries) {
            if (!paths.add(e.path())) {
                throw new IllegalArgumentException("AIF path " + e.path() + " appears twice");
            }
        }
        entries = List.copyOf(entries);
    }

    public static Aif of(String path, long methods) {
        return new Aif(List.of(new Entry(path, methods)));
    }

    /** The methods this scope allows on {@code path} (0 when none). */
    public long methodsOn(String path) {
        for (Entry e : entries) {
            if (e.path().equals(path)) {
                return e.methods();
            }
        }
        return 0;
    }

    /** True when every method this scope allows on each path, {@code granted} allows too. */
    public boolean within(Aif granted) {
        for (Entry e : entries) {
            if ((e.methods() & ~granted.methodsOn(e.path())) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Parses a method list such as {@code GET,PUT} (case-insensitive) into a mask. */
    public static long methods(String list) {
        long mask = 0;
        for (String m : list.split(",")) {
            mask |= switch (m.trim().toUpperCase()) {
                case "GET" -> GET;
                case "POST" -> POST;
                case "PUT" -> PUT;
                case "DELETE" -> DELETE;
                case "FETCH" -> FETCH;
                case "PATCH" -> PATCH;
                case "IPATCH" -> IPATCH;
                default -> throw new IllegalArgumentException("unknown method '" + m.trim()
                        + "' (expected GET, POST, PUT, DELETE, FETCH, PATCH or iPATCH)");
            };
        }
        return mask;
    }

    /** The names of the methods in {@code mask}, comma-separated in code order ({@code GET,PUT}), for messages. */
    public static String methodNames(long mask) {
        String[] names = {"GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((mask & (1L << i)) != 0) {
                b.append(b.length() > 0 ? "," : "").append(names[i]);
            }
        }
        return b.length() > 0 ? b.toString() : "(none)";
    }

    CBORObject toCbor() {
        CBORObject a = CBORObject.NewArray();
        for (Entry e : entries) {
            a.Add(CBORObject.NewArray().Add(e.path()).Add(e.methods()));
        }
        return a;
    }

    static Aif fromCbor(CBORObject v, String what) throws AuthzFormatException {
        List<Entry> out = new ArrayList<>();
        for (CBORObject item : Cbor.array(v, 1, MAX_ENTRIES, what)) {
            List<CBORObject> pair = Cbor.array(item, 2, 2, what + " entry");
            try {
                out.add(new Entry(Cbor.text(pair.get(0), what + " path"), Cbor.uint(pair.get(1), what + " methods")));
            } catch (IllegalArgumentException e) {
                throw new AuthzFormatException(what + ": " + e.getMessage());
            }
        }
        try {
            return new Aif(out);
        } catch (IllegalArgumentException e) {
            throw new AuthzFormatException(what + ": " + e.getMessage());
        }
    }

    /** The deterministic CBOR of this scope (application/aif+cbor). */
    public byte[] encode() {
        return Cbor.encode(toCbor());
    }

    public static Aif decode(byte[] bytes) throws AuthzFormatException {
        return fromCbor(Cbor.decode(bytes, "AIF scope"), "AIF scope");
    }

    private static void checkPath(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("an AIF path starts with '/' and has at most " + MAX_PATH_LENGTH + " characters");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("an AIF path is printable ASCII without spaces");
            }
        }
    }

    @Override
    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (Entry e : entries) {
            b.append(b.length() > 1 ? ", " : "").append('[').append(e.path()).append(", ").append(e.methods()).append(']');
        }
        return b.append(']').toString();
    }
}
