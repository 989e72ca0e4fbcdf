package chainkm.cli.authz;

import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/chainkm access}: IoTChain's steps 4 to 6 from the client's side. The client proves
 * over DTLS that it holds its token's key (its raw public key is the token's {@code cnf}) and asks
 * a gateway's key server for its keying material for one resource of a device; the key server
 * checks the token on the latest committed ledger state (docs/authorization.md, "The key server").
 * Prints what it got without the key bytes: only a fingerprint of them, to compare.
 */
@Command(name = "access", mixinStandardHelpOptions = true,
        description = {"Ask a gateway's key server for the client's keying material for a resource of a device "
                + "(POST /authz/access on the gateway's client endpoint, DTLS with the client's key: the proof that "
                + "it holds the token's key). Any gateway answers: one that is not the device's home checks the token "
                + "and forwards to the home.",
                "Prints {\"group\", \"device\", \"resource\", \"cti\", \"gkty\", \"num\", \"exp\", \"exi\", "
                        + "\"key_fingerprint\", \"key_length\"}: num is the group's session, exp the token's expiry "
                        + "height (the material must not be used from it on), exi the blocks left; key_fingerprint is "
                        + "the first 8 bytes of SHA-256 of the personal secret, never the secret.",
                "Exit code 4 with {\"refused\": true, \"code\": CoAP code (401, 403, 404), \"name\", \"reason\", "
                        + "\"by\": \"key server\"} when the key server refuses: unknown token, token revoked at height "
                        + "R, token expired at height E, token bound to another key (401); token for another "
                        + "audience, scope does not cover M on P (403); the device is not on the ledger (404)."})
public final class AccessCommand extends AuthzCommand {
    @Mixin
    ClientPortOptions gateway;

    @Option(names = "--client", required = true, paramLabel = "DIR",
            description = "The client's key directory (bin/chainkm client keygen): the DTLS session's key.")
    Path client;

    @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device (the token's audience).")
    String device;

    @Option(names = "--resource", required = true, paramLabel = "PATH[:METHODS]",
            description = "The resource and the methods to use it with (default GET), within the token's scope.")
    String resource;

    @Option(names = "--cti", paramLabel = "CTI",
            description = "The token (32 hex digits); by default the client's one live token for this device and "
                    + "resource, looked up on the ledger (--rpc-port or the testnet's gateway).")
    String cti;

    @Option(names = "--rpc-port", paramLabel = "PORT",
            description = "Where to look the token up without --cti: a gateway's CometBFT RPC on 127.0.0.1 (e.g. an SSH "
                    + "tunnel); by default the RPC of --testnet/--gateway.")
    Integer rpcPort;

    @Override
    public Integer call() throws Exception {
        Aif scope = scope(List.of(resource));
        Aif.Entry wanted = scope.entries().get(0);
        Ed25519.KeyPair key = KeyDirectory.load(client);
        byte[] token = cti != null ? hex("--cti", cti, TokenRequest.CTI_SIZE) : findToken(key, wanted);
        if (token == null) {
            return refused(new Refusal(1, "NOT_FOUND", "the client " + Hex.encode(key.publicKey()).substring(0, 8)
                    + " holds no live token for " + device + wanted.path() + ": bin/chainkm token add first", "ledger"));
        }
        AccessRequest request;
        try {
            request = new AccessRequest(token, device, wanted.path(), wanted.methods());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        ClientPort port = gateway.port();
        Response r;
        try (ClientEndpoint endpoint = ClientEndpoint.connect(port.address(), key, port.gatewayKey())) {
            try {
                r = endpoint.post("access", request.encode(), port.timeoutMs());
            } catch (IOException e) {
                throw new IOException("no answer from " + port.description() + " within " + port.timeoutMs() / 1000
                        + " s: is the gateway running, is that its address, and is the gateway key its signing key?", e);
            }
        }
        if (r.getCode() == ResponseCode.CONTENT) {
            AccessGrant grant;
            try {
                grant = AccessGrant.decode(r.getPayload());
            } catch (AuthzFormatException e) {
                throw new IOException(port.description() + " answered something that is not an access grant: " + e.getMessage());
            }
            ObjectNode o = JSON.createObjectNode();
            o.put("group", grant.group()).put("device", device).put("resource", wanted.path())
                    .put("cti", Hex.encode(token)).put("gkty", AccessGrant.GKTY_PERSONAL_SECRET)
                    .put("num", grant.num()).put("exp", grant.exp()).put("exi", grant.exi())
                    .put("key_fingerprint", Hex.encode(Sha256.hash(grant.key())).substring(0, 16))
                    .put("key_length", grant.key().length);
            return print(o);
        }
        int code = r.getCode().codeClass * 100 + r.getCode().codeDetail;
        if (r.getCode().codeClass == 4) {
            return refused(new Refusal(code, r.getCode().name(), r.getPayloadString(), "key server"));
        }
        throw new IOException(port.description() + " answered " + r.getCode().text + " " + r.getCode().name() + ": "
                + r.getPayloadString() + (code == 503 ? " (try again, or ask another gateway)" : ""));
    }

    /** The client's live token for this device and path, from the ledger. */
    private byte[] findToken(Ed25519.KeyPair key, Aif.Entry wanted) throws Exception {
        LedgerReader reader;
        if (rpcPort != null) {
            reader = new LedgerReader(rpcPort, "the CometBFT RPC at 127.0.0.1:" + rpcPort);
        } else if (gateway.address != null) {
            throw usage("with --gateway-address, give the token (--cti) or where to look it up (--rpc-port)");
        } else {
            int port = gateway.layoutGateway().rpcPort();
            reader = new LedgerReader(port, "gateway " + gateway.gateway + "'s CometBFT RPC (127.0.0.1:" + port + ")");
        }
        LedgerReader.Answer a = reader.query("/authz/tokens", Hex.encode(key.publicKey()));
        if (a.refused()) {
            return null;
        }
        for (var t : a.json().path("tokens")) {
            if (!t.path("state").asText().equals("live") || !t.path("aud").asText().equals(device)) {
                continue;
            }
            for (var e : t.path("scope")) {
                // the path picks the token; whether its methods allow the request is the key server's to say
                if (e.path(0).asText().equals(wanted.path())) {
                    return Hex.decode(t.path("cti").asText());
                }
            }
        }
        return null;
    }
}
