package chainkm.cli.authz;

import chainkm.cli.groups.KeyServerAccess;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code access}: a client asks a gateway's key server for a resource's group material, over
 * DTLS with its token's key (issue 13, item 4), and prints what it got without key bytes.
 */
@Command(name = "access", mixinStandardHelpOptions = true,
        description = {"Ask a gateway's key server (POST /authz/access) for the keying material of a device's resource, "
                + "over DTLS with the client's key (the proof of possession of its token's key).",
                "The token is --cti, or else the client's live token for that device whose scope names that path "
                        + "(looked up on the ledger: --rpc-port, or the testnet gateway's RPC).",
                "Prints {\"group\", \"gkty\", \"num\", \"exp\", \"exi\", \"key_fingerprint\", \"key_length\", \"cti\"}: never the key "
                        + "itself; key_fingerprint is the first 8 bytes of SHA-256(\"chainkm/v1/group/fingerprint\" || key), "
                        + "in hex.",
                "Exit code 4 with {\"refused\": true, \"code\": 401|403|404|503, \"name\": \"UNAUTHORIZED\"|..., "
                        + "\"reason\": the key server's diagnostic, \"by\": \"gateway\"} when refused, or {\"code\": 1, "
                        + "\"name\": \"NOT_FOUND\", ...} when the client holds no live token that covers the request."})
public final class AccessCommand extends AuthzCommand {
    static final byte[] FINGERPRINT_LABEL = "chainkm/v1/group/fingerprint".getBytes(StandardCharsets.US_ASCII);

    @Mixin
    ClientPortOptions gateway;

    @Option(names = "--client", required = true, paramLabel = "DIR", description = "The client's key directory (client keygen).")
    Path client;

    @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device (the token's aud).")
    String device;

    @Option(names = "--resource", required = true, paramLabel = "PATH[:METHODS]",
            description = "The resource and the methods asked for (GET when none), e.g. /light:GET,PUT.")
    String resource;

    @Option(names = "--cti", paramLabel = "HEX", description = "The token's cti (32 hex digits); default: looked up.")
    String cti;

    @Option(names = "--rpc-port", paramLabel = "PORT",
            description = "A gateway's CometBFT RPC on 127.0.0.1 for the token look-up (default: the testnet gateway's).")
    Integer rpcPort;

    @Override
    public Integer call() throws Exception {
        Ed25519.KeyPair key = KeyDirectory.load(client);
        Aif scope = scope(List.of(resource));
        if (scope.entries().size() != 1) {
            throw usage("--resource names one resource");
        }
        Aif.Entry asked = scope.entries().get(0);
        byte[] token;
        if (cti != null) {
            token = hex("--cti", cti, TokenRequest.CTI_SIZE);
        } else {
            Object found = findToken(key.publicKey(), scope);
            if (found instanceof Refusal r) {
                return refused(r);
            }
            token = (byte[]) found;
        }
        AccessRequest request = new AccessRequest(token, device, asked.path(), asked.methods());
        KeyServerAccess.Answer a = KeyServerAccess.access(gateway.port(), key, request);
        if (a.refused()) {
            return refused(a.refusal());
        }
        return print(grantJson(a.grant(), token));
    }

    /** The client's live token for the device whose scope covers {@code scope}: its cti, or a Refusal. */
    Object findToken(byte[] clientKey, Aif scope) throws IOException {
        int port = rpcPort != null ? rpcPort : gateway.rpcPort();
        LedgerReader.Answer a = new LedgerReader(port, "the CometBFT RPC at 127.0.0.1:" + port)
                .query("/authz/tokens", Hex.encode(clientKey));
        if (a.refused()) {
            return a.refusal();
        }
        for (JsonNode t : a.json().path("tokens")) {
            if (!"live".equals(t.path("state").asText()) || !device.equals(t.path("aud").asText())) {
                continue;
            }
            List<Aif.Entry> entries = new java.util.ArrayList<>();
            t.path("scope").forEach(e -> entries.add(new Aif.Entry(e.get(0).asText(), e.get(1).asLong())));
            // the path picks the token; whether its methods allow the request is the key server's to say
            if (entries.stream().anyMatch(e -> scope.entries().stream().allMatch(w -> w.path().equals(e.path())))) {
                return Hex.decode(t.path("cti").asText());
            }
        }
        return new Refusal(1, "NOT_FOUND", "no live token of this client for device " + device + " covers "
                + resource + ": bin/chainkm token add first", "ledger");
    }

    /** A grant as the command prints it: no key bytes, a fingerprint instead. */
    static ObjectNode grantJson(AccessGrant g, byte[] cti) {
        ObjectNode o = JSON.createObjectNode();
        o.put("group", g.group());
        o.put("gkty", AccessGrant.GKTY_PERSONAL_SECRET);
        o.put("num", g.num());
        o.put("exp", g.exp());
        o.put("exi", g.exi());
        o.put("key_fingerprint", fingerprint(g.key()));
        o.put("key_length", g.key().length);
        o.put("cti", Hex.encode(cti));
        return o;
    }

    static String fingerprint(byte[] key) {
        return Hex.encode(java.util.Arrays.copyOf(Sha256.hash(FINGERPRINT_LABEL, key), 8));
    }
}
