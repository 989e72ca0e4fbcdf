package chainkm.cli.authz;

import chainkm.protocol.authz.Aif;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --resource PATH[:METHODS]} options of a command as an AIF scope (RFC 9237): each
 * option one path, with the CoAP methods after its last ':' ({@code GET}, {@code GET,PUT}; any of
 * GET POST PUT DELETE FETCH PATCH iPATCH, case-insensitive), GET when there is no ':'. A path
 * that holds a ':' itself is written with its methods ({@code /a:b:GET}).
 */
public final class ResourceScope {
    private ResourceScope() {}

    /** The scope of the options, in their order; IllegalArgumentException naming what is wrong. */
    public static Aif parse(List<String> resources) {
        if (resources == null || resources.isEmpty()) {
            throw new IllegalArgumentException("at least one --resource PATH[:METHODS] is needed");
        }
        List<Aif.Entry> entries = new ArrayList<>();
        for (String r : resources) {
            entries.add(entry(r));
        }
        return new Aif(entries);
    }

    static Aif.Entry entry(String resource) {
        int colon = resource.lastIndexOf(':');
        String path = colon < 0 ? resource : resource.substring(0, colon);
        String methods = colon < 0 ? "GET" : resource.substring(colon + 1);
        if (methods.isBlank()) {
            throw new IllegalArgumentException("'" + resource + "' has no methods after its ':' (e.g. " + path + ":GET,PUT)");
        }
        try {
            return new Aif.Entry(path, Aif.methods(methods));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--resource '" + resource + "': " + e.getMessage());
        }
    }
}
