package chainkm.cli;

import chainkm.gateway.control.ControlClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submit one operation through a gateway, for testing, and print the result as JSON: status "
                + "(committed, accepted or refused), op, node_id, set_id, code (the ledger's code, 0 = accepted), "
                + "log, height, tx_hash, attempts, elapsed_ms.",
                "join: a synthetic device (the gateway enrolls a throwaway identity, then joins it signed by that "
                + "identity). leave: only of a synthetic member the same gateway made (a leave carries the device's own "
                + "signature; a real device leaves by itself). evict: signed by --gateway, which the ledger accepts "
                + "when it owns the node's set; when it does not, this command has every other gateway of the testnet "
                + "directory co-sign it (more than two thirds are needed), as remove-gateway does.",
                "In sync mode the gateway answers after CheckTx (status accepted); this command then also waits "
                + "until the operation lands and prints that under \"landed\".",
                "Exit code 0 when the operation was committed, 4 when the ledger refused it."})
public final class SubmitCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPS = List.of("join", "leave", "evict");

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, description = "The testnet's directory.")
    Path dir;

    @Option(names = "--gateway", defaultValue = "1", description = "Gateway id to submit through, default ${DEFAULT-VALUE}.")
    int gateway;

    @Option(names = "--op", required = true, description = "join, leave or evict.")
    String op;

    @Option(names = "--mode", defaultValue = "commit", description = "commit (broadcast_tx_commit) or sync (broadcast_tx_sync), default ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--node", description = "Node id (required for leave and evict; a join picks a fresh one if absent).")
    Integer node;

    @Option(names = "--set", description = "Override the set id (to test the ledger's refusals).")
    Integer set;

    @Option(names = "--secret-hash", description = "Override the secret-code hash, 64 hex digits (to test refusals).")
    String secretHash;

    @Override
    public Integer call() throws Exception {
        if (!OPS.contains(op)) {
            throw new ParameterException(spec.commandLine(), "--op must be join, leave or evict, not '" + op + "'");
        }
        if (!op.equals("join") && node == null) {
            throw new ParameterException(spec.commandLine(), op + " needs --node");
        }
        TestnetLayout layout = TestnetLayout.load(dir);
        TestnetLayout.Gateway g = layout.gateway(gateway);
        ObjectNode req = JSON.createObjectNode().put("op", op).put("mode", mode).put("wait", "landed");
        if (node != null) {
            req.put("node_id", node);
        }
        if (set != null) {
            req.put("set_id", set);
        }
        if (secretHash != null) {
            req.put("secret_code_hash", secretHash);
        }
        if (op.equals("evict")) {
            String cosigned = EvictCosigning.addUnlessOwner(dir, layout, gateway, node, set, req);
            if (cosigned != null) {
                System.err.println("submit: " + cosigned);
            }
        }
        JsonNode r;
        try {
            r = ControlClient.forHome(dir.resolve(g.home()), g.controlPort()).submit(req, Duration.ofSeconds(150));
        } catch (ConnectException e) {
            throw new IOException("gateway " + gateway + "'s control API (127.0.0.1:" + g.controlPort()
                    + ") does not answer: is the gateway running?", e);
        }
        System.out.println(JSON.writeValueAsString(r));
        JsonNode last = r.has("landed") ? r.get("landed") : r;
        return "committed".equals(last.path("status").asText()) ? 0 : 4;
    }
}
