package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.cometbft.Profile;
import chainkm.gateway.control.ControlClient;
import chainkm.gateway.home.GatewayHome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway distribution ({@code gateway/target/chainkm-gateway}, built by the gateway
 * module's package phase) runs a gateway on its own: started by its launcher with nothing but
 * its {@code lib/} on the class path, a gateway of a one-gateway testnet becomes ready and
 * commits a join, and its libraries hold no test tooling and no device code.
 */
class GatewayDistributionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Jars that must never be in a gateway's distribution. */
    private static final List<String> FORBIDDEN = List.of("selenium", "testbed", "device", "hardware", "cli", "pi4j");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static Path distribution() {
        Path d = Path.of(System.getProperty("chainkm.gateway.dist", "../gateway/target/chainkm-gateway"));
        assertTrue(Files.isExecutable(d.resolve("bin/gateway")), d + "/bin/gateway missing: build the gateway module first");
        return d.toAbsolutePath().normalize();
    }

    @Test
    void itsLibrariesAreTheGatewaysOnly() throws IOException {
        List<String> jars;
        try (Stream<Path> lib = Files.list(distribution().resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("gateway-")), "the gateway jar: " + jars);
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("logback-classic-")), "its logging backend: " + jars);
        for (String jar : jars) {
            assertTrue(jar.endsWith(".jar"), "only jars in lib/: " + jar);
            for (String bad : FORBIDDEN) {
                assertFalse(jar.startsWith(bad), jar + " does not belong in the gateway distribution");
            }
        }
    }

    @Test
    void aGatewayStartedFromItCommitsAJoinAndStopsOnSigterm() throws Exception {
        Path dist = distribution();
        TestnetLayout layout = TestnetGenerator.generate(dir, 1, Profile.FAST);
        TestnetLayout.Gateway g = layout.gateway(1);
        Path home = dir.resolve(g.home());
        ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/gateway").toString(), "--home", home.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(GatewayHome.at(home).gatewayLog().toFile()));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("CHAINKM_COMETBFT", System.getProperty("chainkm.cometbft", ""));
        pb.environment().remove("CHAINKM_JAVA_OPTS");
        Process gateway = pb.start();
        try {
            ControlClient control = ControlClient.forHome(home, g.controlPort());
            awaitReady(gateway, control, home);
            // the launcher has exec'd java by now: its class path is the distribution's lib/ alone
            List<String> args = gateway.info().arguments().map(List::of).orElse(List.of());
            if (!args.isEmpty()) {
                assertEquals(dist.resolve("lib") + "/*", args.get(args.indexOf("-cp") + 1), "class path: " + args);
                assertTrue(args.contains("chainkm.gateway.Main"), "main class: " + args);
            }
            JsonNode r = control.submit(JSON.createObjectNode().put("op", "join").put("mode", "commit"),
                    Duration.ofSeconds(60));
            assertEquals("committed", r.path("status").asText(), r.toString());
            assertEquals(1, control.status(Duration.ofSeconds(5)).path("members").asInt(), "the join is on the ledger");

            List<ProcessHandle> cometbft = gateway.descendants().toList();
            assertTrue(cometbft.stream().anyMatch(p -> p.info().command().map(c -> c.endsWith("cometbft")).orElse(false)),
                    "the gateway runs its CometBFT");
            gateway.destroy(); // SIGTERM
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway stops on SIGTERM");
            for (ProcessHandle p : cometbft) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        } finally {
            List<ProcessHandle> left = gateway.descendants().toList();
            gateway.destroyForcibly();
            left.forEach(ProcessHandle::destroyForcibly);
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitReady(Process gateway, ControlClient control, Path home) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String why = "not started";
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                fail("the gateway exited with " + gateway.exitValue() + ": " + tail(home));
            }
            Optional<JsonNode> s = status(control);
            if (s.isPresent() && s.get().path("height").asLong() >= 1
                    && !s.get().path("cometbft").path("catching_up").asBoolean(true)) {
                return;
            }
            why = s.map(JsonNode::toString).orElse("no answer");
            Thread.sleep(200);
        }
        fail("the gateway is not ready after 120 s (" + why + "): " + tail(home));
    }

    private static Optional<JsonNode> status(ControlClient control) throws InterruptedException {
        try {
            return Optional.of(control.status(Duration.ofSeconds(3)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String tail(Path home) throws IOException {
        List<String> lines = Files.readAllLines(GatewayHome.at(home).gatewayLog());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
