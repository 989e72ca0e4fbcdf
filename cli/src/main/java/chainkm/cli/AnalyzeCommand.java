package chainkm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"From the inventory, the fraction of all device-to-device links one captured device or one "
                + "captured gateway can decrypt, next to the paper's Propositions 1 and 3. Prints JSON: devices, "
                + "gateways, links, device_capture and gateway_capture, each with max_fraction, mean_fraction, worst "
                + "(its id), the proposition's bound and within_bound.",
                "Exit code 0 when both are within their bounds, 5 otherwise."})
public final class AnalyzeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--dir", description = "The testnet's directory (its inventory is taken live).")
    Path dir;

    @Option(names = "--inventory", description = "Analyze a saved inventory JSON file instead.")
    Path inventory;

    @Override
    public Integer call() throws Exception {
        if ((dir == null) == (inventory == null)) {
            throw new IllegalArgumentException("give either --dir or --inventory");
        }
        JsonNode inv = inventory != null ? JSON.readTree(inventory.toFile()) : InventoryCommand.collect(dir);
        ObjectNode result = Resilience.analyze(inv);
        System.out.println(JSON.writeValueAsString(result));
        boolean ok = result.path("device_capture").path("within_bound").asBoolean()
                && result.path("gateway_capture").path("within_bound").asBoolean();
        return ok ? 0 : 5;
    }
}
