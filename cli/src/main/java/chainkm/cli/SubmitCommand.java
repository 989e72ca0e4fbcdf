package chainkm.cli;

import chainkm.gateway.control.ControlClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submit one operation through a gateway, for testing, and print the result as JSON: status "
                + "(committed, accepted or refused), op, node_id, set_id, code (the ledger's code, 0 = accepted), "
                + "log, height, tx_hash, attempts, elapsed_ms.",
                "In sync mode the gateway answers after CheckTx (status accepted); this command then also waits "
                + "until the operation lands and prints that under \"landed\".",
                "Exit code 0 when the operation was committed, 4 when the ledger refused it."})
public final class SubmitCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        JsonNode r = ControlClient.forHome(dir.resolve(g.home()), g.controlPort()).submit(req, Duration.ofSeconds(150));
        System.out.println(JSON.writeValueAsString(r));
        JsonNode last = r.has("landed") ? r.get("landed") : r;
        return "committed".equals(last.path("status").asText()) ? 0 : 4;
    }
}
