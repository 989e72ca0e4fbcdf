package chainkm.cli;

import chainkm.gateway.control.ControlClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "inventory", mixinStandardHelpOptions = true,
        description = {"Print, as JSON, the identifiers of the link keys (never key bytes) every gateway holds and "
                + "every device holds, as its gateway accounts for them: {\"gateways\": [{\"gateway\": ID, \"seq\": N, "
                + "\"keys\": [\"sk:3\", \"psk:3-7\", \"pnk:12-40\", \"nk:12\", ...], \"devices\": [{\"node\": ID, \"set\": ID, "
                + "\"keys\": [...]}]}]}. Key ids: nk:NODE, sk:SET, pnk:NODE-NODE, psk:SET-SET."})
public final class InventoryCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--dir", required = true, description = "The testnet's directory.")
    Path dir;

    /** Every gateway's inventory, from the testnet in {@code dir}. */
    public static ObjectNode collect(Path dir) throws Exception {
        TestnetLayout layout = TestnetLayout.load(dir);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode gws = out.putArray("gateways");
        for (TestnetLayout.Gateway g : layout.gateways()) {
            JsonNode inv = ControlClient.forHome(dir.resolve(g.home()), g.controlPort()).inventory(Duration.ofSeconds(10));
            gws.add(inv);
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        System.out.println(JSON.writeValueAsString(collect(dir)));
        return 0;
    }
}
