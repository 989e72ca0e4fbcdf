package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import chainkm.cli.Provisioner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One device as a real, separate JVM ({@code chainkm device listen}), killed with kill -9 at
 * random moments while the network rekeys (joins through the control API), some of them while
 * it is starting and catching up, and restarted on the same state directory: it starts every
 * time as the same node (never a second join), reaches the ledger's current seq and decrypts
 * D2D messages from its peers under the current keys.
 */
class DeviceCrashIT extends TestnetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ITERATIONS = 8;
    private Process device;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private Path provisioning;
    private Path state;
    private Path log;
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    /** Before the testnet stops. */
    @AfterEach
    void stopTheDevice() throws Exception {
        pool.shutdownNow();
        if (device != null) {
            device.destroyForcibly();
            device.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Launches {@code chainkm device listen} on the device's state directory, with a fresh stdout capture. */
    private Process launch() throws IOException {
        List<String> cmd = ChainkmJvm.command("64m", List.of("device", "listen", "--provisioning",
                provisioning.toString(), "--state", state.toString()));
        stdout.clear();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        List<String> lines = stdout;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process died
            }
        }, "crash-device-stdout");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** Waits for the device's first stdout line (its description). */
    private JsonNode awaitStarted() throws Exception {
        Process p = device;
        try {
            RunningTestnet.await("the device JVM to describe itself on stdout", WAIT,
                    () -> !stdout.isEmpty() || !p.isAlive());
        } catch (AssertionError e) {
            printLog();
            throw e;
        }
        if (stdout.isEmpty()) {
            printLog();
            fail("the device JVM exited with " + p.exitValue() + " before describing itself");
        }
        JsonNode first = JSON.readTree(stdout.get(0));
        assertTrue(first.path("node_id").isInt(), "first line: " + stdout.get(0));
        return first;
    }

    private void printLog() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            System.err.println("----- last lines of " + log);
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("cannot read " + log + ": " + e);
        }
        net.printLogTails();
    }

    /**
     * The device is at the ledger's current seq: every peer's message, sent under the peer's
     * current key (the peers are at the ledger's seq), arrives on the device's stdout.
     */
    private void awaitCurrent(JsonNode description, String round) throws Exception {
        awaitEveryDeviceAtLedgerSeq(WAIT); // the simulated peers
        int node = description.path("node_id").asInt();
        String[] hp = description.path("d2d").asText().split(":");
        InetSocketAddress to = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        for (SimulatedDevices.Device peer : sim.all()) {
            String text = round + " from " + peer.name();
            String expected = "{\"from\":" + peer.node() + ",\"message\":\"" + text + "\"}";
            long deadline = System.nanoTime() + WAIT.toNanos();
            // resend until it arrives: the device may still be catching up with the key's seq
            while (!stdout.contains(expected)) {
                if (System.nanoTime() > deadline || !device.isAlive()) {
                    printLog();
                    fail("the device (node " + node + ") never received " + expected + "; stdout: " + stdout);
                }
                peer.agent().send(node, to, text.getBytes(StandardCharsets.UTF_8));
                // after a kill -9 the device refuses up to 32 fresh messages per peer (its replay
                // marks run ahead by that much): resend often enough to pass them in seconds
                long until = System.nanoTime() + 200_000_000L;
                while (!stdout.contains(expected) && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
            }
        }
    }

    /** Two joins through the control API (one per gateway), each waiting for its commit. */
    private Future<?> rekeyInBackground() {
        return pool.submit(() -> {
            for (int g : net.ids()) {
                assertThat(net.join(g).commit()).isCommitted();
            }
            return null;
        });
    }

    private void killAtRandomMoment(long maxMillis) throws InterruptedException {
        Thread.sleep(RANDOM.nextLong(maxMillis + 1)); // deliberately random, not an event
        device.destroyForcibly();
        assertTrue(device.waitFor(30, TimeUnit.SECONDS), "kill -9 did not end the device JVM");
    }

    @Test
    void deviceSurvivesKillNineAtAnyMomentAndResumesAsTheSameNode() throws Exception {
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "peer", 2);
        provisioning = dir.resolve("crash1.properties");
        state = dir.resolve("devices").resolve("crash1");
        log = dir.resolve("crash1-device.log");
        Provisioner.provision(dir, "crash1", 1).save(provisioning);

        device = launch();
        JsonNode first = awaitStarted();
        int node = first.path("node_id").asInt();
        assertTrue(node > 0, first.toString());
        awaitCurrent(first, "start");
        int members = net.members(1).size();
        assertTrue(net.members(1).contains(node));

        for (int i = 1; i <= ITERATIONS; i++) {
            Future<?> joins = rekeyInBackground();
            killAtRandomMoment(1500);
            joins.get(120, TimeUnit.SECONDS);
            members += 2;
            device = launch();
            if (i % 2 == 0) {
                // also kill it while it starts: joining is done, but it is catching up
                killAtRandomMoment(2500);
                device = launch();
            }
            JsonNode again = awaitStarted();
            assertEquals(node, again.path("node_id").asInt(), "iteration " + i + ": the device joined again");
            // gateway 1 may be a block behind the gateway that answered the joins: wait, do not race it
            RunningTestnet.await("the device's seq to be one the ledger has reached", WAIT,
                    () -> again.path("seq").asLong() <= net.operations());
            long ledger = net.operations();
            awaitCurrent(again, "iteration " + i);
            System.out.println("DeviceCrashIT iteration " + i + ": restarted as " + again + " with the ledger at seq "
                    + ledger);
            assertEquals(members, net.members(1).size(), "iteration " + i + ": members on the ledger");
            assertTrue(net.members(1).contains(node));
        }
        assertNotNull(device);
        net.awaitSameAppHash(Duration.ofSeconds(60));
    }
}
