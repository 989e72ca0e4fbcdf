package chainkm.cli.authz;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the authorization commands share: one JSON object on stdout per command (keys, ids and
 * ctis in hex, never a private key) and the exit codes 0 (done), 4 (the ledger or the gateway
 * refused: the {@link Refusal} is printed), 2 (bad usage, from picocli) and 1 (anything else,
 * one line on stderr saying what and what to do).
 */
abstract class AuthzCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int REFUSED = 4;
    static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    /** Prints {@code json} as the command's one line of output and returns {@link #OK}. */
    int print(JsonNode json) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.println(JSON.writeValueAsString(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        return OK;
    }

    /** Prints the refusal and returns {@link #REFUSED}. */
    int refused(Refusal r) {
        print(r.toJson());
        return REFUSED;
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** A hex option of exactly {@code size} bytes (a policy id, a cti). */
    byte[] hex(String option, String value, int size) {
        String v = value.trim();
        if (!v.matches("(0x)?[0-9a-fA-F]{" + 2 * size + "}")) {
            throw usage(option + " is " + 2 * size + " hex digits, not '" + value + "'");
        }
        return Hex.decode(v);
    }

    /** The {@code --resource} options as a scope; usage error when one is wrong. */
    Aif scope(java.util.List<String> resources) {
        try {
            return ResourceScope.parse(resources);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** A public key (hex, or a key directory or file); usage error when it is neither. */
    byte[] publicKey(String option, String value) {
        try {
            return KeyDirectory.publicKey(value);
        } catch (IOException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    /** The commit height a 2.04 of the client endpoint carries (decimal text). */
    static long height(byte[] payload) throws IOException {
        try {
            return Long.parseLong(new String(payload, java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new IOException("the gateway's answer is not a commit height: is it a chainkm gateway?");
        }
    }

    /** The policy as {@code /authz/policy} shows it. */
    static ObjectNode policyJson(Policy p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", Hex.encode(p.id()));
        o.put("owner", Hex.encode(p.owner()));
        o.put("device", p.device());
        o.set("scope", scopeJson(p.scope()));
        o.put("max_lifetime", p.maxLifetime());
        if (p.voucherMode()) {
            o.put("who", "voucher");
        } else {
            ArrayNode a = o.putArray("clients");
            p.clients().forEach(k -> a.add(Hex.encode(k)));
        }
        return o;
    }

    /** A granted token as {@code /authz/token} shows a live one. */
    static ObjectNode tokenJson(AccessToken t, byte[] policyId) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cti", Hex.encode(t.cti()));
        o.put("state", "live");
        o.put("aud", t.audience());
        o.set("scope", scopeJson(t.scope()));
        o.put("iat", t.iat());
        o.put("exp", t.exp());
        o.put("client", Hex.encode(t.clientKey()));
        o.put("policy", Hex.encode(policyId));
        o.put("token", Hex.encode(t.encode()));
        return o;
    }

    /** An AIF scope as {@code [[path, methods], ...]} (methods: the RFC 9237 mask). */
    static ArrayNode scopeJson(Aif scope) {
        ArrayNode a = JSON.createArrayNode();
        scope.entries().forEach(e -> a.addArray().add(e.path()).add(e.methods()));
        return a;
    }
}
