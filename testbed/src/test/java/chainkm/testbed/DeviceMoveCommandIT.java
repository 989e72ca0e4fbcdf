package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/chainkm device move --to GATEWAY}, as a user runs it: against an agent running in
 * another process ({@code device listen}, reached through its control channel) and against a
 * stopped device's state; a gateway outside the bundle is refused with exit code 1.
 */
class DeviceMoveCommandIT extends ScenarioIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Process listener;
    private String provisioning;
    private Path state;
    private int node;

    /** Before the shared testnet stops. */
    @AfterAll
    void stopTheListener() throws Exception {
        if (listener != null) {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static JsonNode run(int expectedExit, String... args) throws Exception {
        Process p = new ProcessBuilder(ChainkmJvm.command("64m", List.of(args)))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), "exit code of " + String.join(" ", args) + ": " + out);
        String[] lines = out.split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    @BeforeAll
    void anAgentListeningInAnotherProcess() throws Exception {
        net = RunningTestnet.start(dir, 3);
        Path bundle = dir.resolve("dev");
        state = dir.resolve("dev-state");
        run(0, "provision", "--device", "mover", "--dir", dir.toString(), "--out", bundle.toString(), "--gateway", "1");
        provisioning = bundle.resolve("provisioning.properties").toString();

        listener = new ProcessBuilder(ChainkmJvm.command("64m", List.of("device", "listen", "--provisioning", provisioning,
                "--state", state.toString()))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        RunningTestnet.await("the agent to start", Duration.ofSeconds(90),
                () -> !lines.isEmpty() && Files.exists(state.resolve("agent.control")));
        node = JSON.readTree(lines.get(0)).path("node_id").asInt();
    }

    @Test
    @Order(1)
    void aRunningAgentMovesThroughItsControlChannel() throws Exception {
        JsonNode moved = run(0, "device", "move", "--provisioning", provisioning, "--state", state.toString(), "--to", "2");
        assertEquals(2, moved.path("attached_gateway").asInt(), moved.toString());
        assertEquals(node, moved.path("node_id").asInt());
        net.awaitAttachedOnLedger(node, 2, Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void aGatewayOutsideTheBundleIsRefused() throws Exception {
        JsonNode refused = run(1, "device", "move", "--provisioning", provisioning, "--state", state.toString(), "--to", "9");
        assertTrue(refused.path("error").asText().contains("gateway 9"), refused.toString());
    }

    @Test
    @Order(3)
    void aStoppedDeviceMovesFromItsState() throws Exception {
        listener.destroy();
        assertTrue(listener.waitFor(20, TimeUnit.SECONDS));
        listener = null;
        JsonNode offline = run(0, "device", "move", "--provisioning", provisioning, "--state", state.toString(), "--to", "3");
        assertEquals(3, offline.path("attached_gateway").asInt(), offline.toString());
        net.awaitAttachedOnLedger(node, 3, Duration.ofSeconds(30));
    }
}
