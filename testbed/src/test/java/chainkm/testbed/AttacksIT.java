package chainkm.testbed;

import static chainkm.testbed.D2DChecks.awaitReceived;
import static chainkm.testbed.D2DChecks.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import chainkm.device.agent.D2DEndpoint;
import chainkm.device.keys.DeviceKeys;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.mqtt.DevicePasswords;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.rekey.MqttCredential;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * Attacks on devices of a real 2-gateway testnet (real CometBFT validators, gateway JVMs, MQTT
 * brokers, CoAP/DTLS joins): forged, replayed and tampered rekey messages delivered through the
 * gateway's own broker, and wrong-key, truncated, oversized, garbage and replayed D2D packets.
 * Each is refused with a log line and leaves the device's seq and every key byte unchanged;
 * legitimate D2D traffic still flows afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttacksIT extends SharedTestnetIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<ILoggingEvent> logs = new CopyOnWriteArrayList<>();
    private AppenderBase<ILoggingEvent> appender;
    private final List<MqttClient> clients = new ArrayList<>();
    private DatagramSocket attackerSocket;
    /** Device A and B: same set (A is the captured device, B the victim); C and D: another pair. */
    private SimulatedDevices.Device a;
    private SimulatedDevices.Device b;

    @BeforeAll
    void start() throws Exception {
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                logs.add(e);
            }
        };
        appender.start();
        ((Logger) LoggerFactory.getLogger(DeviceKeys.class)).addAppender(appender);
        ((Logger) LoggerFactory.getLogger(D2DEndpoint.class)).addAppender(appender);
        net = RunningTestnet.start(dir, 2);
        sim = SimulatedDevices.start(dir, "dev", 5);
        awaitEveryDeviceAtLedgerSeq(WAIT);
        attackerSocket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        for (SimulatedDevices.Device x : sim.all()) {
            for (SimulatedDevices.Device y : sim.all()) {
                if (x != y && a == null && x.agent().setId() == y.agent().setId()
                        && x.agent().gatewayId() == y.agent().gatewayId()) {
                    a = x;
                    b = y;
                }
            }
        }
        assertNotNull(a, "two devices of the same set on the same gateway");
    }

    /** Before the shared testnet stops. */
    @AfterAll
    void stopAttackers() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(1000);
                }
                c.close();
            } catch (MqttException e) {
                // best effort
            }
        }
        if (attackerSocket != null) {
            attackerSocket.close();
        }
        ((Logger) LoggerFactory.getLogger(DeviceKeys.class)).detachAppender(appender);
        ((Logger) LoggerFactory.getLogger(D2DEndpoint.class)).detachAppender(appender);
    }

    // ---------------------------------------------------------------- helpers

    /** Seq and every key's id, seq and bytes. */
    private record Snapshot(long seq, int set, Map<KeyId, String> keys) {}

    private static Snapshot snapshot(SimulatedDevices.Device d) {
        Map<KeyId, String> keys = new TreeMap<>();
        for (KeyId id : d.agent().keyIds()) {
            KeyMaterial k = d.agent().keyForTests(id).orElseThrow();
            keys.put(id, k.seq() + ":" + HexFormat.of().formatHex(k.key()));
        }
        return new Snapshot(d.agent().seq(), d.agent().setId(), keys);
    }

    private static void assertUnchanged(Snapshot before, SimulatedDevices.Device d, String attack) {
        Snapshot after = snapshot(d);
        assertEquals(before.seq(), after.seq(), attack + ": " + d.name() + "'s epoch changed");
        assertEquals(before.set(), after.set(), attack + ": " + d.name() + "'s set changed");
        assertEquals(before.keys().keySet(), after.keys().keySet(), attack + ": " + d.name() + "'s key ids changed");
        assertEquals(before.keys(), after.keys(), attack + ": " + d.name() + "'s key bytes changed");
    }

    /** Log lines written by the MQTT callback thread of device {@code d} (Paho names it after the client id). */
    private long rekeyLogLines(SimulatedDevices.Device d, Predicate<String> message) {
        String thread = ": node-" + d.node();
        return logs.stream().filter(e -> e.getThreadName().endsWith(thread))
                .filter(e -> message.test(e.getFormattedMessage())).count();
    }

    private void awaitRekeyLogLine(SimulatedDevices.Device d, long before, Predicate<String> message, String what)
            throws InterruptedException {
        RunningTestnet.await(d.name() + " to log " + what, WAIT, () -> rekeyLogLines(d, message) > before);
    }

    private Path home(int gateway) {
        return dir.resolve(net.net.layout().gateway(gateway).home());
    }

    private String brokerUrl(int gateway) throws Exception {
        return GatewayConfig.load(home(gateway)).brokerUrl();
    }

    /** A client of gateway's broker over TLS, trusting the key genesis pins for it. */
    private MqttClient mqtt(int gateway, String user, char[] password, String clientId) throws Exception {
        MqttClient c = new MqttClient(brokerUrl(gateway), clientId, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        TlsPin pin = Genesis.load(GatewayHome.at(home(gateway)).genesis()).mqttTlsPins().get(gateway);
        o.setSocketFactory(pin.clientContext().getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(false);
        o.setUserName(user);
        o.setPassword(password);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        c.connect(o);
        return c;
    }

    private MqttClient asGateway(int gateway, String tag) throws Exception {
        return mqtt(gateway, "gateway-" + gateway,
                Files.readString(home(gateway).resolve(GatewayHome.MQTT_PASSWORD)).trim().toCharArray(),
                "attacker-" + tag + "-" + RANDOM.nextInt(1_000_000));
    }

    /** Device d's own MQTT account (what its GET /mqtt hands it), with its own client id. */
    private MqttClient asDevice(SimulatedDevices.Device d) throws Exception {
        int gateway = d.agent().gatewayId();
        MqttCredential own = DevicePasswords.load(home(gateway).resolve(GatewayHome.MQTT_DEVICES_SECRET))
                .issue(d.name(), d.node());
        return mqtt(gateway, own.user(), own.password(), "node-" + d.node());
    }

    private static void publish(MqttClient c, String topic, byte[] payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        c.publish(topic, m);
    }

    /** A D2D message from a to b, through the real agents: it arrives. */
    private void legitimateD2DStillWorks(String tag) throws Exception {
        String text = "legit after " + tag + " " + RANDOM.nextInt();
        send(a, b, text);
        awaitReceived(b, a.node(), text, WAIT);
    }

    private static int headerLength(RekeyMessage m) {
        return 1 + 1 + 2 + 8 + 4 + 1 + 4 + 4 + 16 + 2 + 4 * m.exempt().size()
                + 1 + m.proofs().stream().mapToInt(p -> 2 + p.length).sum();
    }

    // ---------------------------------------------------------------- rekey attacks

    @Test
    @Order(1)
    void forgedRekeyFromASetMemberIsRefusedEvenThroughTheGatewaysOwnBrokerAccount() throws Exception {
        int gateway = b.agent().gatewayId();
        int set = b.agent().setId();
        Snapshot before = snapshot(b);
        byte[] setKey = a.agent().keyForTests(KeyId.setKey(a.agent().setId())).orElseThrow().key();
        int otherSet = set == 1 ? 2 : 1;
        byte[] chosen = new byte[KeyMaterial.KEY_SIZE];
        RANDOM.nextBytes(chosen);
        byte[] refresh = new byte[16];
        RANDOM.nextBytes(refresh);
        RekeyMessage forged = RekeyMessage.seal(
                new RekeyMessage.Header(RekeyMessage.Kind.SET, a.agent().gatewayId(), before.seq() + 1, set,
                        Operation.JOIN, a.node(), set, refresh, List.of()),
                List.of(KeyUpdate.put(KeyId.pairwiseSetKey(set, otherSet), chosen, false),
                        KeyUpdate.put(KeyId.setKey(set), chosen, false)),
                setKey, Ed25519.KeyPair.generate(RANDOM));
        // sanity: the set key really opens it (the forger had everything but a gateway's signing key)
        assertEquals(2, RekeyMessage.decode(forged.encode()).open(setKey).size());

        // broker ACL: a device's own account cannot publish on a rekey topic; a spy sees nothing
        MqttClient spy = asGateway(gateway, "spy");
        List<byte[]> seen = new CopyOnWriteArrayList<>();
        spy.subscribe(Topics.set(set), 1, (topic, msg) -> seen.add(msg.getPayload()));
        MqttClient device = asDevice(a);
        try {
            MqttMessage m = new MqttMessage(forged.encode());
            m.setQos(0);
            device.publish(Topics.set(set), m);
        } catch (MqttException refusedByBroker) {
            // the broker may also drop the connection: either way nothing is delivered
        }
        Thread.sleep(1000); // absence of an event: nothing to wait for
        assertEquals(0, seen.size(), "a publish by the device account reached a subscriber of " + Topics.set(set));

        // the strongest attacker: the gateway's own broker account; the signature still stops it
        long refusals = rekeyLogLines(b, s -> s.contains("bad signature"));
        publish(asGateway(gateway, "forger"), Topics.set(set), forged.encode());
        RunningTestnet.await("the spy to see the gateway account's publish", WAIT, () -> seen.size() == 1);
        awaitRekeyLogLine(b, refusals, s -> s.contains("refused") && s.contains("bad signature"),
                "the refusal of the forged rekey");
        assertUnchanged(before, b, "forged rekey");
        assertTrue(b.agent().keyForTests(KeyId.pairwiseSetKey(set, otherSet)).map(k -> !Arrays.equals(k.key(), chosen))
                .orElse(true), "the attacker's key was installed");
        legitimateD2DStillWorks("forged rekey");
    }

    private final List<byte[]> recorded = new CopyOnWriteArrayList<>();

    /** Records real rekey messages on b's broker while a new device joins through b's gateway. */
    private void recordRekeysOfAJoin() throws Exception {
        if (!recorded.isEmpty()) {
            return;
        }
        // no device may read another's node topic any more: the recorder uses the gateway's account
        MqttClient recorder = asGateway(b.agent().gatewayId(), "recorder");
        recorder.subscribe(Topics.all(), 1, (topic, msg) -> recorded.add(msg.getPayload()));
        long seq = b.agent().seq();
        sim.startOne("late1", b.agent().gatewayId());
        awaitEveryDeviceAtLedgerSeq(WAIT);
        assertTrue(b.agent().seq() > seq, "the join rekeyed " + b.name());
        RunningTestnet.await("rekey messages for " + b.name() + " to be recorded", WAIT,
                () -> !messagesFor(b).isEmpty());
        recorder.disconnect();
    }

    /** Recorded messages b's agent would take (its set or its node), old by now. */
    private List<RekeyMessage> messagesFor(SimulatedDevices.Device d) {
        List<RekeyMessage> out = new ArrayList<>();
        for (byte[] bytes : recorded) {
            try {
                RekeyMessage m = RekeyMessage.decode(bytes);
                boolean mine = m.kind() == RekeyMessage.Kind.SET ? m.target() == d.agent().setId()
                        && !m.exempt().contains(d.node()) : m.target() == d.node();
                if (mine && m.seq() <= d.agent().seq()) {
                    out.add(m);
                }
            } catch (MessageFormatException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    private static String topicOf(RekeyMessage m) {
        return m.kind() == RekeyMessage.Kind.SET ? Topics.set(m.target()) : Topics.node(m.target());
    }

    @Test
    @Order(2)
    void replayedRekeyIsRefusedAsADuplicate() throws Exception {
        recordRekeysOfAJoin();
        RekeyMessage old = messagesFor(b).get(0);
        Snapshot before = snapshot(b);
        long dups = rekeyLogLines(b, s -> s.contains("duplicate"));
        publish(asGateway(b.agent().gatewayId(), "replayer"), topicOf(old), old.encode());
        awaitRekeyLogLine(b, dups, s -> s.contains("duplicate rekey message for seq " + old.seq()),
                "the replayed rekey as a duplicate");
        assertUnchanged(before, b, "replayed rekey");
        legitimateD2DStillWorks("replayed rekey");
    }

    @Test
    @Order(3)
    void tamperedRekeyIsRefused() throws Exception {
        recordRekeysOfAJoin();
        RekeyMessage old = messagesFor(b).get(0);
        Snapshot before = snapshot(b);
        MqttClient gw = asGateway(b.agent().gatewayId(), "tamperer");

        // one bit of the ciphertext flipped
        byte[] flipped = old.encode();
        int ctStart = headerLength(old) + 4;
        int ctLength = ByteBuffer.wrap(flipped, headerLength(old), 4).getInt();
        flipped[ctStart + ctLength / 2] ^= 0x01;
        long bad = rekeyLogLines(b, s -> s.contains("bad signature"));
        publish(gw, topicOf(old), flipped);
        awaitRekeyLogLine(b, bad, s -> s.contains("refused") && s.contains("bad signature"),
                "the refusal of the rekey with a flipped ciphertext byte");
        assertUnchanged(before, b, "tampered ciphertext");

        // the same message re-dated to b's next seq (so that it is not dismissed as a duplicate)
        byte[] redated = old.encode();
        ByteBuffer.wrap(redated, 4, 8).putLong(before.seq() + 1);
        bad = rekeyLogLines(b, s -> s.contains("bad signature"));
        publish(gw, topicOf(old), redated);
        awaitRekeyLogLine(b, bad, s -> s.contains("refused") && s.contains("bad signature"),
                "the refusal of the re-dated rekey");
        assertUnchanged(before, b, "re-dated rekey");
        legitimateD2DStillWorks("tampered rekey");
    }

    // ---------------------------------------------------------------- D2D attacks

    private void sendRaw(byte[] packet, InetSocketAddress to) throws Exception {
        attackerSocket.send(new DatagramPacket(packet, packet.length, to));
    }

    /** Captures one real packet from a to b (sent to the attacker's socket instead of b). */
    private byte[] captureFromAToB() throws Exception {
        a.agent().send(b.node(), (InetSocketAddress) attackerSocket.getLocalSocketAddress(),
                ("captured " + RANDOM.nextInt()).getBytes(StandardCharsets.UTF_8));
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        attackerSocket.setSoTimeout(10_000);
        attackerSocket.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private void d2dRefused(String attack, byte[] packet, String logged) throws Exception {
        Snapshot before = snapshot(b);
        long refused = b.agent().refusedD2D();
        int inbox = b.inbox().size();
        long lines = logs.stream().filter(e -> e.getFormattedMessage().contains(logged)).count();
        sendRaw(packet, b.agent().d2dAddress());
        RunningTestnet.await(b.name() + " to refuse the " + attack, WAIT, () -> b.agent().refusedD2D() > refused);
        RunningTestnet.await("a log line for the " + attack, WAIT,
                () -> logs.stream().filter(e -> e.getFormattedMessage().contains(logged)).count() > lines);
        assertEquals(refused + 1, b.agent().refusedD2D(), attack + " refused exactly once");
        assertEquals(inbox, b.inbox().size(), attack + " reached the inbox");
        assertUnchanged(before, b, attack);
    }

    @Test
    @Order(4)
    void badD2DPacketsAreRefused() throws Exception {
        // under the wrong key: c's key for its link with d, addressed to b
        SimulatedDevices.Device c = null;
        KeyId cd = null;
        for (SimulatedDevices.Device x : sim.all()) {
            for (KeyId id : x.agent().keyIds()) {
                if (x != b && cd == null && id.kind() == KeyKind.PAIRWISE_NODE_KEY
                        && !id.involvesNode(b.node())) {
                    c = x;
                    cd = id;
                }
            }
        }
        assertNotNull(cd, "a pairwise node key that b does not share");
        KeyMaterial cdKey = c.agent().keyForTests(cd).orElseThrow();
        byte[] wrongKey = D2DMessage.seal(c.node(), b.node(), cd, cdKey.seq(), 1, cdKey.key(),
                "under the wrong key".getBytes(StandardCharsets.UTF_8)).encode();
        d2dRefused("packet under the wrong key", wrongKey, "refused");

        byte[] valid = captureFromAToB();
        d2dRefused("truncated packet", Arrays.copyOf(valid, valid.length - 5), "refused");

        byte[] oversized = new byte[2000];
        RANDOM.nextBytes(oversized);
        d2dRefused("oversized packet", oversized, "larger than");

        byte[] garbage = new byte[100];
        RANDOM.nextBytes(garbage);
        garbage[0] = 0x7f; // not even a known version
        d2dRefused("garbage packet", garbage, "refused");

        // a valid captured packet: received once, refused when replayed
        Snapshot before = snapshot(b);
        int inbox = b.inbox().size();
        long refused = b.agent().refusedD2D();
        sendRaw(valid, b.agent().d2dAddress());
        RunningTestnet.await(b.name() + " to receive the captured packet", WAIT, () -> b.inbox().size() == inbox + 1);
        assertEquals(a.node(), b.inbox().get(inbox).from());
        assertEquals(refused, b.agent().refusedD2D(), "the first delivery was refused");
        d2dRefused("replayed packet", valid, "replayed message");
        assertArrayEquals(before.keys().keySet().toArray(), snapshot(b).keys().keySet().toArray());

        legitimateD2DStillWorks("bad D2D packets");
        assertEquals(refused + 1, b.agent().refusedD2D(), "a legitimate message was refused");
    }
}
