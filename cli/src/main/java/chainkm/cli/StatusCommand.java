package chainkm.cli;

import chainkm.gateway.control.ControlClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print the testnet's status as JSON: an array with, per gateway, id, name, up (true/false), "
                + "height, app_hash, members and sets (the ledger's committed state), and its CometBFT process.",
                "Exit code 0 when every gateway is up, 3 otherwise."})
public final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--dir", required = true, description = "The testnet's directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        TestnetLayout layout = TestnetLayout.load(dir);
        ArrayNode out = JSON.createArrayNode();
        boolean allUp = true;
        for (TestnetLayout.Gateway g : layout.gateways()) {
            ObjectNode o;
            try {
                JsonNode s = ControlClient.forHome(dir.resolve(g.home()), g.controlPort()).status(Duration.ofSeconds(3));
                o = (ObjectNode) s;
            } catch (IOException e) {
                o = JSON.createObjectNode().put("id", g.id()).put("name", g.name()).put("up", false)
                        .put("error", e.getMessage() == null ? e.toString() : e.getMessage());
                allUp = false;
            }
            out.add(o);
        }
        System.out.println(JSON.writeValueAsString(out));
        return allUp ? 0 : 3;
    }
}
