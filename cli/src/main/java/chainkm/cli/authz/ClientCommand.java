package chainkm.cli.authz;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Key pairs of resource owners and clients (IoTChain's authorization): see docs/authorization.md.",
        subcommands = {ClientCommand.Keygen.class})
public final class ClientCommand {

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Draw an Ed25519 key pair for a resource owner or a client (the same kind of key: its role is "
                    + "what it signs) into --out: DIR (mode 0700) with client.key (base64 of the 32-byte private key, "
                    + "mode 0600, the gateway key's format) and client.pub (the public key in hex).",
                    "An existing client.key is never replaced without --force: the policies and tokens it signed would "
                    + "be out of its owner's reach.",
                    "Prints {\"dir\": DIR, \"public_key\": HEX}; no private key."})
    static final class Keygen extends AuthzCommand {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The key directory to write.")
        Path out;

        @Option(names = "--force", description = "Replace an existing key.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            Ed25519.KeyPair key = KeyDirectory.generate(out, force);
            return print(JSON.createObjectNode().put("dir", out.toAbsolutePath().normalize().toString())
                    .put("public_key", Hex.encode(key.publicKey())));
        }
    }
}
