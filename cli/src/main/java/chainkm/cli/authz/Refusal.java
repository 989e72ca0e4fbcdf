package chainkm.cli.authz;

import chainkm.gateway.ledger.TxCode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A refusal by the ledger or by the gateway, as the commands print it (exit code 4):
 * {@code {"refused": true, "code": N, "name": "...", "reason": "...", "by": "ledger|gateway"}}.
 * {@code code} and {@code name} are the ledger's result code ({@link TxCode}, e.g. 46
 * REPLAYED_REQUEST) for a statement, or the query's code (1 NOT_FOUND, 2 BAD_REQUEST) for a look-up.
 */
public record Refusal(int code, String name, String reason, String by) {
    /** The gateway's 4.03 diagnostic for a ledger refusal: {@code code N NAME: reason}. */
    private static final Pattern LEDGER_DIAGNOSTIC = Pattern.compile("code (\\d+) ([A-Z_]+)(?::\\s*(.*))?", Pattern.DOTALL);

    /** Parses the 4.03 diagnostic of the client endpoint; anything else keeps its text as the reason. */
    static Refusal ofLedgerDiagnostic(String diagnostic) {
        Matcher m = LEDGER_DIAGNOSTIC.matcher(diagnostic == null ? "" : diagnostic.trim());
        if (m.matches()) {
            return new Refusal(Integer.parseInt(m.group(1)), m.group(2), m.group(3) == null ? "" : m.group(3), "ledger");
        }
        return new Refusal(0, "FORBIDDEN", diagnostic == null ? "" : diagnostic, "gateway");
    }

    /** The gateway refused to submit a statement it could not parse (the ledger would say MALFORMED_AUTHZ). */
    static Refusal malformed(String diagnostic) {
        return new Refusal(TxCode.MALFORMED_AUTHZ.code(), TxCode.MALFORMED_AUTHZ.name(), diagnostic, "gateway");
    }

    /** A look-up the ledger answered with an error code ({@code LedgerQuery}: 1 not found, 2 bad request). */
    static Refusal ofQuery(int code, String log) {
        return new Refusal(code, code == 1 ? "NOT_FOUND" : code == 2 ? "BAD_REQUEST" : "QUERY_ERROR", log, "ledger");
    }

    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("refused", true).put("code", code).put("name", name)
                .put("reason", reason).put("by", by);
    }
}
