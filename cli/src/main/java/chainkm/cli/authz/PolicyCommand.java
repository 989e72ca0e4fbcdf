package chainkm.cli.authz;

import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "A resource owner's access policies on the ledger: put, show, remove (docs/authorization.md).",
        subcommands = {PolicyCommand.Put.class, PolicyCommand.Show.class, PolicyCommand.Remove.class})
public final class PolicyCommand {

    /** Who may obtain tokens: an allow-list or vouchers (exactly one). */
    static final class Who {
        @Option(names = "--client", required = true, paramLabel = "HEX|DIR",
                description = "A client key on the allow-list: 64 hex digits, or a key directory (its client.pub). Repeatable.")
        List<String> clients;

        @Option(names = "--voucher-mode", required = true,
                description = "Instead of an allow-list: anyone holding a voucher the owner signed (bin/chainkm voucher).")
        boolean voucherMode;
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Sign a policy with the owner's key and put it on the ledger through a gateway's client "
                    + "endpoint (the answer comes once the block is committed). The device's first policy binds it to "
                    + "this owner for good.",
                    "Prints the policy as `policy show` does, with the commit height: {\"id\", \"owner\", \"device\", "
                    + "\"scope\": [[PATH, METHODS]], \"max_lifetime\", \"clients\": [HEX] | \"who\": \"voucher\", "
                    + "\"height\"} (METHODS: the AIF mask, GET 1, POST 2, PUT 4, DELETE 8, FETCH 16, PATCH 32, iPATCH 64).",
                    "Exit code 4 with {\"refused\": true, \"code\", \"name\", \"reason\"} when the ledger refuses it "
                    + "(e.g. 43 NOT_ALLOWED: the device has another owner; 45 DUPLICATE: a live policy covers a path)."})
    static final class Put extends AuthzCommand {
        @Mixin
        ClientPortOptions gateway;

        @Option(names = "--owner", required = true, paramLabel = "DIR", description = "The owner's key directory (client keygen).")
        Path owner;

        @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device (letters, digits, . _ -).")
        String device;

        @Option(names = "--resource", required = true, paramLabel = "PATH[:METHODS]",
                description = "A resource of the device and the methods a token may grant on it: /light, /light:GET,PUT "
                        + "(default GET; GET POST PUT DELETE FETCH PATCH iPATCH). Repeatable.")
        List<String> resources;

        @Option(names = "--max-lifetime", required = true, paramLabel = "BLOCKS",
                description = "The longest token lifetime, in blocks (1 to " + Policy.MAX_LIFETIME + ").")
        long maxLifetime;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Who who;


        @Override
        public Integer call() throws Exception {
            Aif scope = scope(resources);
            List<byte[]> clients = who.voucherMode ? null : clientKeys();
            Ed25519.KeyPair key = KeyDirectory.load(owner);
            byte[] nonce = new byte[Policy.NONCE_SIZE];
            new SecureRandom().nextBytes(nonce);
            Policy policy;
            try {
                policy = Policy.sign(key, device, scope, maxLifetime, clients, nonce);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            ClientPort.Outcome o = gateway.port().post(key, "policy", policy.encode());
            if (o.refused()) {
                return refused(o.refusal());
            }
            return print(policyJson(policy).put("height", height(o.payload())));
        }

        private List<byte[]> clientKeys() {
            List<byte[]> keys = new ArrayList<>();
            for (String c : who.clients) {
                keys.add(publicKey("--client", c));
            }
            return keys;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print a live policy by id, or every live policy, from the ledger (query /authz/policy): "
                    + "{\"id\", \"owner\", \"device\", \"scope\", \"max_lifetime\", \"clients\" | \"who\"}, or "
                    + "{\"height\", \"policies\": [...]} without ID.",
                    "Exit code 4 with {\"refused\": true, \"code\": 1, \"name\": \"NOT_FOUND\", ...} when no live policy has that id."})
    static final class Show extends AuthzCommand {
        @Mixin
        LedgerOptions ledger;

        @Parameters(arity = "0..1", paramLabel = "ID", description = "The policy id (64 hex digits); all policies without it.")
        String id;

        @Override
        public Integer call() throws Exception {
            String data = id == null ? "" : Hex.encode(hex("ID", id, 32));
            LedgerReader.Answer a = ledger.reader().query("/authz/policy", data);
            return a.refused() ? refused(a.refusal()) : print(a.json());
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Remove a live policy, signed by its owner. Tokens granted under it stay until they expire or "
                    + "are deleted (token delete).",
                    "Prints {\"removed\": ID, \"height\": H}; exit code 4 when refused (40 UNKNOWN_POLICY, 41 "
                    + "BAD_OWNER_SIGNATURE: not this policy's owner)."})
    static final class Remove extends AuthzCommand {
        @Mixin
        ClientPortOptions gateway;

        @Option(names = "--owner", required = true, paramLabel = "DIR", description = "The owner's key directory.")
        Path owner;

        @Parameters(paramLabel = "ID", description = "The policy id (64 hex digits).")
        String id;

        @Override
        public Integer call() throws Exception {
            byte[] policyId = hex("ID", id, 32);
            Ed25519.KeyPair key = KeyDirectory.load(owner);
            ClientPort.Outcome o = gateway.port().post(key, "policy-remove", PolicyRemoval.sign(key, policyId).encode());
            if (o.refused()) {
                return refused(o.refusal());
            }
            return print(JSON.createObjectNode().put("removed", Hex.encode(policyId)).put("height", height(o.payload())));
        }
    }
}
