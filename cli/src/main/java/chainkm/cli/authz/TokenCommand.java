package chainkm.cli.authz;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Access tokens on the ledger (ACE, RFC 9200): add (a client's request), get, list, delete "
                + "(docs/authorization.md).",
        subcommands = {TokenCommand.Add.class, TokenCommand.Get.class, TokenCommand.ListTokens.class,
                TokenCommand.Delete.class})
public final class TokenCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Sign a token request with the client's key and record it on the ledger through a gateway's "
                    + "client endpoint; the ledger grants the token in the block that commits it, bound to the client's "
                    + "key (cnf).",
                    "Prints the token as `token get` does: {\"cti\", \"state\": \"live\", \"aud\", \"scope\", \"iat\", "
                    + "\"exp\", \"client\", \"policy\", \"token\": the CWT claims set in hex} (iat: the granting height; "
                    + "live below exp = iat + lifetime).",
                    "Exit code 4 with {\"refused\": true, \"code\", \"name\", \"reason\"} when the ledger refuses it: "
                    + "40 UNKNOWN_POLICY, 43 NOT_ALLOWED (not on the allow-list, another device or scope, a voucher for "
                    + "someone else or past its height), 44 LIFETIME_TOO_LONG, 45 DUPLICATE (a live token under this "
                    + "policy already), 41 BAD_OWNER_SIGNATURE (a voucher the owner did not sign)."})
    static final class Add extends AuthzCommand {
        @Mixin
        ClientPortOptions gateway;

        @Option(names = "--client", required = true, paramLabel = "DIR", description = "The client's key directory: it signs.")
        Path client;

        @Option(names = "--policy", required = true, paramLabel = "ID", description = "The policy's id (64 hex digits).")
        String policy;

        @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device (the token's audience).")
        String device;

        @Option(names = "--resource", required = true, paramLabel = "PATH[:METHODS]",
                description = "A resource and the methods asked for (default GET), within the policy's. Repeatable.")
        List<String> resources;

        @Option(names = "--lifetime", required = true, paramLabel = "BLOCKS",
                description = "How many blocks the token lives (at most the policy's max lifetime).")
        long lifetime;

        @Option(names = "--voucher", paramLabel = "FILE|HEX",
                description = "The owner's voucher (bin/chainkm voucher), for a voucher-mode policy: a file or the hex.")
        String voucher;

        @Override
        public Integer call() throws Exception {
            byte[] policyId = hex("--policy", policy, 32);
            Aif scope = scope(resources);
            byte[] voucherBytes = voucher == null ? null : voucher(voucher);
            Ed25519.KeyPair key = KeyDirectory.load(client);
            byte[] nonce = new byte[TokenRequest.NONCE_SIZE];
            new SecureRandom().nextBytes(nonce);
            TokenRequest request;
            try {
                request = TokenRequest.sign(key, policyId, device, scope, lifetime, nonce, voucherBytes);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            ClientPort port = gateway.port();
            ClientPort.Outcome o = port.post(key, "token", request.encode());
            if (o.refused()) {
                return refused(o.refusal());
            }
            AccessToken token;
            try {
                token = AccessToken.decode(o.payload());
            } catch (AuthzFormatException e) {
                throw new IOException(port.description() + " answered something that is not an access token: "
                        + e.getMessage());
            }
            // the ledger grants exactly request.grant(height): a gateway cannot hand out another token
            if (!Arrays.equals(token.encode(), request.grant(token.iat()).encode())) {
                throw new IOException(port.description() + " answered a token that is not the one requested (cti "
                        + Hex.encode(token.cti()) + "): check it with token get " + Hex.encode(request.cti()));
            }
            return print(tokenJson(token, policyId));
        }

        /** A voucher from a file (hex text or the CBOR itself) or from hex. */
        private byte[] voucher(String fileOrHex) throws IOException {
            Path p = Path.of(fileOrHex);
            byte[] bytes;
            if (Files.isRegularFile(p)) {
                byte[] raw = Files.readAllBytes(p);
                String text = new String(raw, StandardCharsets.US_ASCII).trim();
                bytes = text.matches("([0-9a-fA-F]{2})+") ? Hex.decode(text) : raw;
            } else if (fileOrHex.trim().matches("([0-9a-fA-F]{2})+")) {
                bytes = Hex.decode(fileOrHex.trim());
            } else {
                throw usage("--voucher '" + fileOrHex + "' is neither a file nor hex");
            }
            try {
                Voucher.decode(bytes);
            } catch (AuthzFormatException e) {
                throw usage("--voucher is not a voucher: " + e.getMessage());
            }
            return bytes;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Print a token from the ledger (query /authz/token): {\"cti\", \"state\": \"live\", \"aud\", "
                    + "\"scope\", \"iat\", \"exp\", \"client\", \"policy\", \"token\"} or, once deleted, {\"cti\", "
                    + "\"state\": \"revoked\", \"revoked_height\", \"exp\"} (until its exp).",
                    "Exit code 4 with {\"refused\": true, \"code\": 1, \"name\": \"NOT_FOUND\", ...} when the ledger has "
                    + "no such token (never granted, or expired)."})
    static final class Get extends AuthzCommand {
        @Mixin
        LedgerOptions ledger;

        @Parameters(paramLabel = "CTI", description = "The token's cti (32 hex digits).")
        String cti;

        @Override
        public Integer call() throws Exception {
            byte[] c = hex("CTI", cti, TokenRequest.CTI_SIZE);
            LedgerReader.Answer a = ledger.reader().query("/authz/token", Hex.encode(c));
            return a.refused() ? refused(a.refusal()) : print(a.json());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print a client's tokens from the ledger (query /authz/tokens): {\"height\", \"client\", "
                    + "\"tokens\": [...]}, each as token get prints it.")
    static final class ListTokens extends AuthzCommand {
        @Mixin
        LedgerOptions ledger;

        @Option(names = "--client", required = true, paramLabel = "DIR|HEX",
                description = "The client: its key directory or its public key (64 hex digits).")
        String client;

        @Override
        public Integer call() throws Exception {
            byte[] key = publicKey("--client", client);
            LedgerReader.Answer a = ledger.reader().query("/authz/tokens", Hex.encode(key));
            return a.refused() ? refused(a.refusal()) : print(a.json());
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete (revoke) a live token, signed by --as: the token's client or its policy's owner. The "
                    + "token leaves the ledger and joins the revocation list (query /authz/revoked).",
                    "Prints {\"deleted\": CTI, \"by\": HEX (the signer's key), \"height\": H}; exit code 4 when refused "
                    + "(47 UNKNOWN_TOKEN: no live token; 48 DELETE_NOT_ALLOWED: neither its client nor its owner)."})
    static final class Delete extends AuthzCommand {
        @Mixin
        ClientPortOptions gateway;

        @Option(names = "--as", required = true, paramLabel = "DIR",
                description = "The signer's key directory: the token's client or the policy's owner.")
        Path as;

        @Parameters(paramLabel = "CTI", description = "The token's cti (32 hex digits).")
        String cti;

        @Override
        public Integer call() throws Exception {
            byte[] c = hex("CTI", cti, TokenRequest.CTI_SIZE);
            Ed25519.KeyPair key = KeyDirectory.load(as);
            ClientPort.Outcome o = gateway.port().post(key, "token-delete", TokenDeletion.sign(key, c).encode());
            if (o.refused()) {
                return refused(o.refusal());
            }
            return print(JSON.createObjectNode().put("deleted", Hex.encode(c)).put("by", Hex.encode(key.publicKey()))
                    .put("height", height(o.payload())));
        }
    }
}
