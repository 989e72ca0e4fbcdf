package chainkm.cli.authz;

import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Hex;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "voucher", mixinStandardHelpOptions = true,
        description = {"Sign, as a policy's owner, a voucher that lets one client obtain a token under a voucher-mode "
                + "policy (policy put --voucher-mode) until a block height. Offline: nothing is sent; hand the voucher "
                + "to the client, who passes it to token add --voucher. It names the client's key, so nobody else can "
                + "use it.",
                "Prints {\"voucher\": HEX, \"policy\": ID, \"client\": HEX, \"until\": HEIGHT} (and \"file\" with --out, "
                + "which gets the same hex and a line end)."})
public final class VoucherCommand extends AuthzCommand {
    @Option(names = "--owner", required = true, paramLabel = "DIR", description = "The policy owner's key directory.")
    Path owner;

    @Option(names = "--policy", required = true, paramLabel = "ID", description = "The voucher-mode policy's id (64 hex digits).")
    String policy;

    @Option(names = "--client", required = true, paramLabel = "HEX|DIR",
            description = "The client's public key: 64 hex digits, or its key directory (client.pub).")
    String client;

    @Option(names = "--until", required = true, paramLabel = "HEIGHT",
            description = "The last block height at which a token request may use the voucher.")
    long until;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the voucher (hex) to FILE.")
    Path out;

    @Override
    public Integer call() throws Exception {
        byte[] policyId = hex("--policy", policy, 32);
        byte[] clientKey = publicKey("--client", client);
        if (until < 0) {
            throw usage("--until is a block height, not " + until);
        }
        Voucher v = Voucher.sign(KeyDirectory.load(owner), policyId, clientKey, until);
        String hex = Hex.encode(v.encode());
        ObjectNode o = JSON.createObjectNode().put("voucher", hex).put("policy", Hex.encode(policyId))
                .put("client", Hex.encode(clientKey)).put("until", until);
        if (out != null) {
            Files.writeString(out, hex + "\n", StandardCharsets.US_ASCII);
            o.put("file", out.toAbsolutePath().normalize().toString());
        }
        return print(o);
    }
}
