package chainkm.testbed;

import static chainkm.testbed.D2DChecks.awaitReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 6, the device image: the overlay tarball unpacked into a temporary root, a bundle from
 * {@code chainkm provision} on its boot partition, and the agent started exactly as the unit's
 * ExecStart starts it (paths below the root through the launcher's CHAINKM_ROOT; no Raspberry
 * Pi there, so on the mock board). It moves its bundle off the boot partition, joins a real
 * testnet and exchanges D2D messages with a simulated device both ways.
 */
class ImageInstallIT extends TestnetIT {
    private static final Pattern JOINED = Pattern.compile("device pi-1 is node (\\d+) in set");

    private Process agent;
    private Path agentLog;

    /** Before the testnet stops. */
    @AfterEach
    void stopTheAgent() throws Exception {
        if (agent != null) {
            agent.destroy(); // SIGTERM, as systemctl stop
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor();
            }
        }
    }

    private String log() {
        try {
            return Files.exists(agentLog) ? Files.readString(agentLog, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void awaitLog(String what, Pattern p) throws InterruptedException {
        RunningTestnet.await(what, Duration.ofSeconds(90), () -> {
            if (!agent.isAlive()) {
                fail("the agent stopped (exit " + agent.exitValue() + "):\n" + log());
            }
            return p.matcher(log()).find();
        });
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** ExecStart of the unit, split into words. */
    private static List<String> execStart(Path unit) throws IOException {
        for (String line : Files.readAllLines(unit)) {
            if (line.startsWith("ExecStart=")) {
                return List.of(line.substring("ExecStart=".length()).trim().split("\\s+"));
            }
        }
        return fail("no ExecStart in " + unit);
    }

    @Test
    void theInstalledImageMovesItsBundleJoinsAndTalksD2DBothWays() throws Exception {
        net = RunningTestnet.start(dir.resolve("net"), 2);
        sim = SimulatedDevices.start(dir.resolve("net"), "s", 1);
        SimulatedDevices.Device peer = sim.get("s1");

        // unpack the overlay into an empty root, as over Raspberry Pi OS
        Path image = Path.of(System.getProperty("chainkm.image"));
        assertTrue(Files.isRegularFile(image), "build the hardware module first: " + image);
        Path root = Files.createDirectories(dir.resolve("root"));
        Process tar = new ProcessBuilder("tar", "-xzf", image.toString(), "-C", root.toString())
                .redirectErrorStream(true).start();
        String tarOut = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, tar.waitFor(), tarOut);
        Path launcher = root.resolve("opt/chainkm/bin/chainkm-agent");
        assertTrue(Files.isExecutable(launcher));

        // what systemd-tmpfiles creates, the SoC's thermal zone, and the field engineer's steps
        Path state = Files.createDirectories(root.resolve("var/lib/chainkm"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path thermal = root.resolve("sys/class/thermal/thermal_zone0/temp");
        Files.createDirectories(thermal.getParent());
        Files.writeString(thermal, "42000\n");
        Path bootDir = root.resolve("boot/firmware/chainkm");
        assertEquals(0, new CommandLine(new ChainkmCli()).execute("provision", "--device", "pi-1", "--dir",
                dir.resolve("net").toString(), "--out", bootDir.toString()));
        Path bootBundle = bootDir.resolve("provisioning.properties");
        assertTrue(Files.exists(bootBundle));
        String enrollmentKey = bundleProperty(bootBundle, "enrollment.key");
        assertTrue(enrollmentKey != null && !enrollmentKey.isEmpty(), "provision puts the one-time enrollment key in the bundle");
        int d2dPort = freeUdpPort();
        InetSocketAddress peerAddress = peer.agent().d2dAddress();
        Files.writeString(root.resolve("etc/chainkm/agent.properties"), String.join("\n",
                "", "# set for this test", "d2d.bind=127.0.0.1:" + d2dPort, "peer.node=" + peer.node(),
                "peer.address=127.0.0.1:" + peerAddress.getPort(), "peer.send_interval_s=1", ""),
                StandardOpenOption.APPEND);

        // start it as the unit does: ExecStart's command line, its first word below the root
        List<String> cmd = new ArrayList<>(execStart(root.resolve("etc/systemd/system/chainkm-agent.service")));
        assertEquals("/opt/chainkm/bin/chainkm-agent", cmd.get(0));
        cmd.set(0, launcher.toString());
        agentLog = dir.resolve("agent.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(agentLog.toFile());
        pb.environment().put("CHAINKM_ROOT", root.toString());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        agent = pb.start();

        awaitLog("the agent to join", JOINED);
        Matcher m = JOINED.matcher(log());
        assertTrue(m.find());
        int node = Integer.parseInt(m.group(1));
        awaitLog("the agent's JOINED state", Pattern.compile("state: JOINED"));
        assertTrue(log().contains("board: mock board (Pi4J mock plugin; no " + root.resolve("proc/device-tree/model")),
                log());
        net.awaitMembers(List.of(node), Duration.ofSeconds(30));

        // the bundle left the boot partition for the state directory, owner-only
        assertFalse(Files.exists(bootBundle), "the boot partition still holds the bundle");
        Path moved = state.resolve("provisioning.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(moved)));
        assertTrue(log().contains("first boot: moved the provisioning bundle"), log());
        assertTrue(Files.exists(state.resolve("keys.store")));

        // D2D: the agent sends its SoC temperature to the simulated device, which answers
        awaitReceived(peer, node, "{\"sensor\":\"soc\",\"celsius\":42.00}", Duration.ofSeconds(60));
        peer.agent().send(node, new InetSocketAddress("127.0.0.1", d2dPort),
                "hello pi-1".getBytes(StandardCharsets.UTF_8));
        awaitLog("the agent to receive the answer",
                Pattern.compile("D2D message from node " + peer.node() + ": hello pi-1"));
        System.out.println("----- the agent's log\n" + log());
        assertFalse(log().contains("ERROR"), log());
        // first boot activated the device's own identity key: the spent enrollment key left the bundle
        assertTrue(Files.exists(state.resolve("activated")));
        assertEquals(null, bundleProperty(moved, "enrollment.key"), "the state copy of the bundle still holds the enrollment key");
        String identityKey = java.util.HexFormat.of().formatHex(Files.readAllBytes(state.resolve("identity.key")));
        String identityKeyB64 = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(state.resolve("identity.key")));
        for (String secret : List.of(enrollmentKey, identityKey, identityKeyB64)) {
            assertFalse(log().contains(secret), "the log shows a private key");
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("identity.key"))));
    }

    private static String bundleProperty(Path bundleFile, String key) throws IOException {
        Properties bundle = new Properties();
        try (var r = Files.newBufferedReader(bundleFile)) {
            bundle.load(r);
        }
        return bundle.getProperty(key);
    }
}
