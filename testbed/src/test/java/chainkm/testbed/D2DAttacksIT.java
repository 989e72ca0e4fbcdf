package chainkm.testbed;

import static chainkm.testbed.D2DChecks.awaitReceived;
import static chainkm.testbed.D2DChecks.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import chainkm.cli.Provisioner;
import chainkm.device.agent.D2DEndpoint;
import chainkm.device.agent.DeviceAgent;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.keys.KeyMaterial;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 12, the D2D attacks, by a device of the network with nothing but its own state directory
 * (its identity key file and the keys of its store), against real agents on a real 2-gateway
 * testnet: claiming to be a set-mate under the pairwise set key they share, locking a sender out
 * with a forged counter of 2^62, and replaying a recorded "OPEN DOOR" after the receiver (a device
 * in its own JVM) was killed with kill -9 and restarted. Each is refused with a log line, changes
 * nothing at the receiver, and the real sender's next message still arrives.
 */
class D2DAttacksIT extends ScenarioIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How often the agent logs a refusal of one sender and kind (D2DRefusals.PERIOD_MILLIS). */
    private static final Duration LOG_PERIOD = Duration.ofSeconds(10);
    private final List<ILoggingEvent> logs = new CopyOnWriteArrayList<>();
    private AppenderBase<ILoggingEvent> appender;
    private DatagramSocket attackerSocket;
    /** Mallory (the attacker) and Victor share a set; Rita, the receiver, is in another. */
    private SimulatedDevices.Device mallory;
    private SimulatedDevices.Device victor;
    private SimulatedDevices.Device rita;
    /** The pairwise set key of mallory's and victor's set with rita's, as mallory's store holds it. */
    private KeyMaterial sharedSetKey;
    private Ed25519.KeyPair malloryIdentity;
    private long forgedCounter = 1;
    /** The receiver of the restart step: a device JVM. */
    private Process device;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private Path deviceLog;

    @BeforeAll
    void sixDevicesOnTwoGateways() throws Exception {
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                logs.add(e);
            }
        };
        appender.start();
        ((Logger) LoggerFactory.getLogger(D2DEndpoint.class)).addAppender(appender);
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "d", 6);
        awaitEveryDeviceAtLedgerSeq(WAIT);
        attackerSocket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        for (SimulatedDevices.Device x : sim.all()) {
            for (SimulatedDevices.Device y : sim.all()) {
                for (SimulatedDevices.Device z : sim.all()) {
                    if (mallory == null && x != y && x.agent().setId() == y.agent().setId()
                            && z.agent().setId() != x.agent().setId()) {
                        mallory = x;
                        victor = y;
                        rita = z;
                    }
                }
            }
        }
        assertNotNull(mallory, "two devices of one set and a third of another");
        int s = mallory.agent().setId();
        int r = rita.agent().setId();
        KeyId shared = mallory.agent().keyIds().stream()
                .filter(id -> id.kind() == KeyKind.PAIRWISE_SET_KEY && id.involvesSet(s) && id.involvesSet(r))
                .findFirst().orElseThrow(() -> new AssertionError("no pairwise set key of sets " + s + " and " + r));
        // everything the attacker uses comes from its own state directory
        sharedSetKey = mallory.agent().keyForTests(shared).orElseThrow();
        malloryIdentity = Ed25519.KeyPair.fromPrivateKey(
                Files.readAllBytes(sim.stateDir(mallory.name()).resolve(DeviceAgent.IDENTITY_KEY_FILE)));
        // the real traffic works first, and rita learns victor's identity key from her gateway
        send(victor, rita, "hello rita");
        awaitReceived(rita, victor.node(), "hello rita", WAIT);
    }

    @AfterAll
    void stopAttackers() throws Exception {
        if (device != null) {
            device.destroyForcibly();
            device.waitFor(10, TimeUnit.SECONDS);
        }
        if (attackerSocket != null) {
            attackerSocket.close();
        }
        ((Logger) LoggerFactory.getLogger(D2DEndpoint.class)).detachAppender(appender);
    }

    // ---------------------------------------------------------------- helpers

    /** What an attack must not change at the receiver: its seq, its keys, what it received. */
    private record Snapshot(long seq, SortedSet<KeyId> keys, int inbox, long refused) {}

    private static Snapshot snapshot(SimulatedDevices.Device d) {
        return new Snapshot(d.agent().seq(), d.agent().keyIds(), d.inbox().size(), d.agent().refusedD2D());
    }

    private long logLines(String text) {
        return logs.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
    }

    /** Mallory's packet claiming to come from victor, sealed and signed with what mallory holds. */
    private byte[] claimingVictor(long counter, String text) {
        return D2DMessage.seal(victor.node(), rita.node(), sharedSetKey.id(), sharedSetKey.seq(), counter,
                sharedSetKey.key(), text.getBytes(StandardCharsets.UTF_8), malloryIdentity).encode();
    }

    private void refusedByRita(String attack, byte[] packet, String logged) throws Exception {
        // refusals are logged once per sender and kind every 10 s (the others are counted in the
        // next line): for its own line, an attack waits until the last such line is that old
        long last = logs.stream().filter(e -> e.getFormattedMessage().contains(logged))
                .mapToLong(ILoggingEvent::getTimeStamp).max().orElse(0);
        RunningTestnet.await("the refusal log's period to pass since the last \"" + logged + "\" line", WAIT,
                () -> System.currentTimeMillis() - last > LOG_PERIOD.toMillis() + 200);
        Snapshot before = snapshot(rita);
        long lines = logLines(logged);
        attackerSocket.send(new DatagramPacket(packet, packet.length, rita.agent().d2dAddress()));
        RunningTestnet.await("rita to refuse the " + attack, WAIT, () -> rita.agent().refusedD2D() > before.refused());
        RunningTestnet.await("a log line for the " + attack, WAIT, () -> logLines(logged) > lines);
        Snapshot after = snapshot(rita);
        assertEquals(before.refused() + 1, after.refused(), attack + " refused exactly once");
        assertEquals(before.inbox(), after.inbox(), attack + " reached rita's inbox");
        assertEquals(before.seq(), after.seq(), attack + " changed rita's seq");
        assertEquals(before.keys(), after.keys(), attack + " changed rita's keys");
    }

    private void victorStillReachesRita(String tag) throws Exception {
        String text = "victor after " + tag;
        long refused = rita.agent().refusedD2D();
        send(victor, rita, text);
        awaitReceived(rita, victor.node(), text, WAIT);
        assertEquals(refused, rita.agent().refusedD2D(), "victor's real message was refused after the " + tag);
    }

    // ---------------------------------------------------------------- the attacks

    @Test
    @Order(1)
    void aSetMateClaimingToBeAnotherSenderIsRefused() throws Exception {
        refusedByRita("spoofed set-mate", claimingVictor(forgedCounter++, "OPEN DOOR (really mallory)"),
                "signature is not node " + victor.node() + "'s");
        victorStillReachesRita("spoofing");
    }

    @Test
    @Order(2)
    void aForgedCounterOfTwoToTheSixtyTwoLocksNobodyOut() throws Exception {
        refusedByRita("forged counter 2^62", claimingVictor(1L << 62, "lock victor out"),
                "signature is not node " + victor.node() + "'s");
        // and victor's own recorded message with its counter raised: neither signature nor tag holds
        byte[] real = captureFrom(victor, rita, "victor's words");
        byte[] raised = real.clone();
        int counterAt = 1 + 4 + 4 + sharedSetKey.id().encodedLength() + 8;
        raised[counterAt] = 0x40; // counter + 2^62
        refusedByRita("victor's message with a raised counter", raised, "signature is not node " + victor.node() + "'s");
        victorStillReachesRita("forged counters");
        victorStillReachesRita("forged counters, twice");
    }

    /** One real packet from {@code from} to {@code to}, sent to the attacker's socket instead. */
    private byte[] captureFrom(SimulatedDevices.Device from, SimulatedDevices.Device to, String text) throws Exception {
        return capture(from, to.node(), text);
    }

    private byte[] capture(SimulatedDevices.Device from, int toNode, String text) throws Exception {
        from.agent().send(toNode, (InetSocketAddress) attackerSocket.getLocalSocketAddress(),
                text.getBytes(StandardCharsets.UTF_8));
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        attackerSocket.setSoTimeout(10_000);
        attackerSocket.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    @Test
    @Order(3)
    void aRecordedMessageIsRefusedAfterTheReceiversKillNineAndRestart() throws Exception {
        Path provisioning = dir.resolve("door.properties");
        Path state = dir.resolve("devices").resolve("door");
        deviceLog = dir.resolve("door-device.log");
        Provisioner.provision(dir, "door", 1).save(provisioning);
        device = launch(provisioning, state);
        JsonNode first = awaitStarted();
        int door = first.path("node_id").asInt();
        awaitEveryDeviceAtLedgerSeq(WAIT); // the peers hold their keys with the door (it joined last)

        // victor opens the door; the attacker records the packet on its way
        byte[] recorded = capture(victor, door, "OPEN DOOR");
        String opened = "{\"from\":" + victor.node() + ",\"message\":\"OPEN DOOR\"}";
        deliver(recorded, first);
        RunningTestnet.await("the door to open once", WAIT, () -> stdout.contains(opened));

        // kill -9 and restart on the same state directory
        device.destroyForcibly();
        assertTrue(device.waitFor(30, TimeUnit.SECONDS), "kill -9 did not end the device JVM");
        long refusedLinesBefore = logLinesOf("replayed message");
        device = launch(provisioning, state);
        JsonNode again = awaitStarted();
        assertEquals(door, again.path("node_id").asInt(), "the door restarted as another node");

        deliver(recorded, again);
        RunningTestnet.await("the door to log the replay's refusal", WAIT,
                () -> logLinesOf("replayed message") > refusedLinesBefore);
        assertFalse(stdout.contains(opened), "the recorded OPEN DOOR was accepted after the restart");

        // victor is not cut off: at most K of its fresh messages fall under the stored mark
        String[] hp = again.path("d2d").asText().split(":");
        InetSocketAddress to = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        int sent = 0;
        String expected = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (expected == null || !stdout.contains(expected)) {
            if (System.nanoTime() > deadline || !device.isAlive()) {
                printDeviceLog();
                fail("victor's fresh messages never reached the restarted door (" + sent + " sent)");
            }
            if (sent <= 40) {
                sent++;
                String text = "fresh " + sent;
                expected = "{\"from\":" + victor.node() + ",\"message\":\"" + text + "\"}";
                victor.agent().send(door, to, text.getBytes(StandardCharsets.UTF_8));
            }
            Thread.sleep(100);
        }
        System.out.println("D2DAttacksIT: victor's message " + sent + " after the restart arrived");
        assertTrue(sent <= 32 + 1, sent + " messages before one arrived");
        assertFalse(stdout.contains(opened), "the recorded OPEN DOOR was accepted");
    }

    private void deliver(byte[] packet, JsonNode description) throws IOException {
        String[] hp = description.path("d2d").asText().split(":");
        attackerSocket.send(new DatagramPacket(packet, packet.length,
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1]))));
    }

    private long logLinesOf(String text) {
        try {
            if (!Files.exists(deviceLog)) {
                return 0;
            }
            return Files.readAllLines(deviceLog, StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Process launch(Path provisioning, Path state) throws IOException {
        List<String> cmd = ChainkmJvm.command("64m", List.of("device", "listen", "--provisioning",
                provisioning.toString(), "--state", state.toString()));
        stdout.clear();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(deviceLog.toFile())).start();
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
        }, "door-device-stdout");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private JsonNode awaitStarted() throws Exception {
        Process p = device;
        RunningTestnet.await("the device JVM to describe itself on stdout", WAIT, () -> !stdout.isEmpty() || !p.isAlive());
        if (stdout.isEmpty()) {
            printDeviceLog();
            fail("the device JVM exited with " + p.exitValue() + " before describing itself");
        }
        JsonNode first = JSON.readTree(stdout.get(0));
        assertTrue(first.path("node_id").isInt(), "first line: " + stdout.get(0));
        return first;
    }

    private void printDeviceLog() {
        try {
            List<String> lines = Files.readAllLines(deviceLog, StandardCharsets.UTF_8);
            System.err.println("----- last lines of " + deviceLog);
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("cannot read " + deviceLog + ": " + e);
        }
    }
}
