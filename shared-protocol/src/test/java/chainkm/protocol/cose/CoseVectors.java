package chainkm.protocol.cose;

import chainkm.protocol.crypto.Hex;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The vectors of src/test/resources/cose/vectors.txt (RFC 9052 Appendix C and the cose-wg example set). */
final class CoseVectors {
    static final byte[] CONTENT = "This is the content.".getBytes(StandardCharsets.US_ASCII);

    private static final Map<String, Map<String, String>> ALL = load();

    private CoseVectors() {}

    /** One vector's fields. */
    static final class Vector {
        private final String name;
        private final Map<String, String> fields;

        Vector(String name, Map<String, String> fields) {
            this.name = name;
            this.fields = fields;
        }

        byte[] hex(String field) {
            String v = fields.get(field);
            if (v == null) {
                throw new IllegalArgumentException("vector " + name + " has no field " + field);
            }
            return Hex.decode(v);
        }

        String text(String field) {
            return fields.get(field);
        }
    }

    static Vector get(String name) {
        Map<String, String> fields = ALL.get(name);
        if (fields == null) {
            throw new IllegalArgumentException("no vector " + name);
        }
        if (fields.get("source") == null) {
            throw new IllegalStateException("vector " + name + " does not name its source");
        }
        return new Vector(name, fields);
    }

    private static Map<String, Map<String, String>> load() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        try (InputStream in = CoseVectors.class.getResourceAsStream("/cose/vectors.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            Map<String, String> current = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (t.startsWith("[") && t.endsWith("]")) {
                    current = new LinkedHashMap<>();
                    out.put(t.substring(1, t.length() - 1), current);
                } else {
                    int eq = t.indexOf('=');
                    if (current == null || eq < 0) {
                        throw new IllegalStateException("cose/vectors.txt: cannot read line: " + t);
                    }
                    current.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
