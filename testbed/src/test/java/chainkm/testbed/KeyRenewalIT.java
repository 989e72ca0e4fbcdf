package chainkm.testbed;

import static chainkm.testbed.D2DChecks.awaitReceived;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import chainkm.device.agent.D2DEndpoint;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import chainkm.protocol.sets.SetLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 12, item 3 (key lifetimes), on a real 2-gateway testnet with real agents: an attacker
 * captured device X (its node key, set key, a pairwise node key with set-mate Y and a pairwise
 * set key with Z's set). Gateway 1 renews its sets every {@link #RENEW_BLOCKS} blocks (gateway
 * 2 never, so that its own renewals cannot blur the no-state-change check). After X's set is
 * renewed: every captured key is replaced at X, and the new values agree with Y's and Z's; a
 * message in flight across the renewal still opens (grace), and every pair of devices exchanges
 * with none refused; the captured keys open none of the rekey messages published after the
 * renewal (read with the gateways' own broker accounts); a message forged under the old pairwise
 * node key after the grace period is refused with a log line and changes nothing; and a RENEW of
 * X's set signed by gateway 2, which does not own it, is refused by the ledger with code 27 and
 * changes no state.
 */
class KeyRenewalIT extends ScenarioIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Gateway 1's cryptoperiod: short for the test, long enough for a quiet window between rounds. */
    private static final long RENEW_BLOCKS = 30;
    /** A step that must see no key operation but its own starts at least this many blocks before the next renewal. */
    private static final long QUIET_BLOCKS = 12;
    /** A renewal round of gateway 1 can take up to two cryptoperiods from here (blocks are about 1 s apart when idle). */
    private static final Duration RENEWAL_WAIT = Duration.ofSeconds(2 * RENEW_BLOCKS + 60);
    /** How often an agent logs a refusal of one sender and kind (D2DRefusals.PERIOD_MILLIS). */
    private static final Duration LOG_PERIOD = Duration.ofSeconds(10);

    private final List<ILoggingEvent> logs = new CopyOnWriteArrayList<>();
    private AppenderBase<ILoggingEvent> appender;
    private final List<MqttClient> recorders = new ArrayList<>();
    /** Every rekey message either broker carried from the capture on. */
    private final List<byte[]> recorded = new CopyOnWriteArrayList<>();
    private DatagramSocket attackerSocket;

    /** X: the captured device; Y: its set-mate; Z: a device of a set gateway 2 owns. */
    private SimulatedDevices.Device x;
    private SimulatedDevices.Device y;
    private SimulatedDevices.Device z;
    private int setA;
    private int setB;
    /** What the attacker took from X's store, by a label for the messages. */
    private final Map<String, KeyMaterial> captured = new LinkedHashMap<>();
    /** A real packet from X to Y, sealed before the renewal, held back by the attacker. */
    private byte[] inFlight;
    private long capturedAtOps;
    /** The RENEW of set A after the capture: its ledger operation and height. */
    private long renewalSeq;
    private long renewalHeight;
    /** When Y was seen holding the renewal's keys (its grace for the old values ends at most 30 s later). */
    private long yRenewedAtMillis;

    @BeforeAll
    void sixDevicesOnTwoGatewaysAndAnAttacker() throws Exception {
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                logs.add(e);
            }
        };
        appender.start();
        ((Logger) LoggerFactory.getLogger(D2DEndpoint.class)).addAppender(appender);
        net = RunningTestnet.start(dir, 2, generated -> {
            renewal(generated, 1, RENEW_BLOCKS);
            renewal(generated, 2, 0);
        });
        sim = SimulatedDevices.start(dir, "k", 6);
        awaitEveryDeviceAtLedgerSeq(WAIT);
        attackerSocket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

        SetLayout layout = net.layout(1);
        for (SimulatedDevices.Device a : sim.all()) {
            for (SimulatedDevices.Device b : sim.all()) {
                if (x == null && a != b && a.agent().setId() == b.agent().setId()
                        && layout.ownerOf(a.agent().setId()) == 1) {
                    x = a;
                    y = b;
                }
            }
        }
        assertNotNull(x, "two devices in a set of gateway 1");
        setA = x.agent().setId();
        z = sim.all().stream().filter(d -> layout.ownerOf(d.agent().setId()) == 2).findFirst()
                .orElseThrow(() -> new AssertionError("no device in a set of gateway 2"));
        setB = z.agent().setId();

        // the attacker reads both brokers with the gateways' own accounts from here on
        for (int g : net.ids()) {
            MqttClient c = asGateway(g);
            c.subscribe(Topics.all(), 1, (topic, msg) -> recorded.add(msg.getPayload()));
        }
        // and takes X's keys, all at one ledger operation (X holds every operation so far)
        RunningTestnet.await("a capture with X at the ledger's seq and no renewal of set " + setA + " under way",
                RENEWAL_WAIT, this::captureX);
        // a real message of X's to Y, sealed now and held back
        inFlight = capture(x, y, "sent before the renewal");
        System.out.println("KeyRenewalIT: captured node " + x.node() + " of set " + setA + " at operation "
                + capturedAtOps + "; set-mate " + y.node() + ", node " + z.node() + " of set " + setB);
    }

    /** Takes X's four keys if X is at the ledger's seq; false to try again. */
    private boolean captureX() {
        long ops = net.operations();
        if (x.agent().seq() != ops) {
            return false;
        }
        captured.clear();
        captured.put("node key", key(x, KeyId.nodeKey(x.node())));
        captured.put("set key", key(x, KeyId.setKey(setA)));
        captured.put("pairwise node key with " + y.node(), key(x, KeyId.pairwiseNodeKey(x.node(), y.node())));
        captured.put("pairwise set key with set " + setB, key(x, KeyId.pairwiseSetKey(setA, setB)));
        if (x.agent().seq() != ops || net.operations() != ops) {
            return false;
        }
        capturedAtOps = ops;
        return true;
    }

    private static void renewal(Path generated, int gateway, long afterBlocks) throws java.io.IOException {
        Path home = generated.resolve("gateway-" + gateway);
        GatewayConfig.load(home).withRenewal(afterBlocks, 0).save(home);
    }

    @AfterAll
    void stopAttacker() {
        for (MqttClient c : recorders) {
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
        ((Logger) LoggerFactory.getLogger(D2DEndpoint.class)).detachAppender(appender);
    }

    // ---------------------------------------------------------------- helpers

    private static KeyMaterial key(SimulatedDevices.Device d, KeyId id) {
        return d.agent().keyForTests(id).orElseThrow(() -> new AssertionError(d.name() + " holds no " + id));
    }

    private Path home(int gateway) {
        return dir.resolve(net.net.layout().gateway(gateway).home());
    }

    /** The gateway's own broker account: the strongest reader of the rekey topics. */
    private MqttClient asGateway(int gateway) throws Exception {
        Path h = home(gateway);
        MqttClient c = new MqttClient(GatewayConfig.load(h).brokerUrl(), "renew-spy-" + gateway + "-"
                + RANDOM.nextInt(1_000_000), new MemoryPersistence());
        recorders.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(Genesis.load(GatewayHome.at(h).genesis()).mqttTlsPins().get(gateway).clientContext()
                .getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(false);
        o.setUserName("gateway-" + gateway);
        o.setPassword(GatewayHome.readLine(GatewayHome.at(h).mqttPassword()).toCharArray());
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        c.connect(o);
        return c;
    }

    /** One real packet from {@code from} to {@code to}, sent to the attacker's socket instead. */
    private byte[] capture(SimulatedDevices.Device from, SimulatedDevices.Device to, String text) throws Exception {
        from.agent().send(to.node(), (InetSocketAddress) attackerSocket.getLocalSocketAddress(),
                text.getBytes(StandardCharsets.UTF_8));
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        attackerSocket.setSoTimeout(10_000);
        attackerSocket.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private void deliver(byte[] packet, SimulatedDevices.Device to) throws Exception {
        attackerSocket.send(new DatagramPacket(packet, packet.length, to.agent().d2dAddress()));
    }

    /** The ledger's key operations in order: entry i is operation i + 1. */
    private List<JsonNode> operations() {
        List<JsonNode> out = new ArrayList<>();
        net.query(1, "/refresh", "0-" + Long.MAX_VALUE).path("entries").forEach(out::add);
        return out;
    }

    /** The height of the latest RENEW of {@code set}, or -1. */
    private static long lastRenewal(List<JsonNode> ops, int set) {
        long h = -1;
        for (JsonNode e : ops) {
            if (e.path("operation").asText().equals("renew") && e.path("set_id").asInt() == set) {
                h = e.path("height").asLong();
            }
        }
        return h;
    }

    /**
     * Waits for a quiet window: every device holds every operation on the ledger, and gateway 1's
     * next renewal (each of its sets is renewed {@link #RENEW_BLOCKS} blocks after its last one) is
     * at least {@link #QUIET_BLOCKS} blocks away. A step run then sees no key operation but its own.
     */
    private void awaitQuiet() throws InterruptedException {
        RunningTestnet.await("a quiet window (devices at the ledger's seq, gateway 1's next renewal " + QUIET_BLOCKS
                + " blocks away or more)", RENEWAL_WAIT, () -> {
            List<JsonNode> ops = operations();
            long height = net.height(1);
            StringBuilder why = new StringBuilder();
            for (int set : net.layout(1).setsOwnedBy(1)) {
                long last = lastRenewal(ops, set);
                if (last < 0) {
                    why.append("set ").append(set).append(" never renewed; ");
                } else if (last + RENEW_BLOCKS - height < QUIET_BLOCKS) {
                    why.append("set ").append(set).append(" due at ").append(last + RENEW_BLOCKS).append(", height ")
                            .append(height).append("; ");
                }
            }
            String behind = sim.all().stream().filter(d -> d.agent().seq() != ops.size())
                    .map(d -> d.name() + " at " + d.agent().seq()).collect(Collectors.joining(", "));
            return why + (behind.isEmpty() ? "" : "ledger at " + ops.size() + ": " + behind);
        }, String::isEmpty);
    }

    private long logLines(SimulatedDevices.Device receiver, String text) {
        String thread = "d2d-" + receiver.agent().d2dAddress().getPort();
        return logs.stream().filter(e -> e.getThreadName().equals(thread))
                .filter(e -> e.getFormattedMessage().contains(text)).count();
    }

    private long lastLogged(SimulatedDevices.Device receiver, String text) {
        String thread = "d2d-" + receiver.agent().d2dAddress().getPort();
        return logs.stream().filter(e -> e.getThreadName().equals(thread))
                .filter(e -> e.getFormattedMessage().contains(text)).mapToLong(ILoggingEvent::getTimeStamp).max()
                .orElse(0);
    }

    /** What an attack on a device must not change: its seq, set, every key's bytes, what it received. */
    private record Snapshot(long seq, int set, Map<KeyId, String> keys, int inbox) {}

    private static Snapshot snapshot(SimulatedDevices.Device d) {
        Map<KeyId, String> keys = new java.util.TreeMap<>();
        for (KeyId id : d.agent().keyIds()) {
            KeyMaterial k = key(d, id);
            keys.put(id, k.seq() + ":" + java.util.HexFormat.of().formatHex(k.key()));
        }
        return new Snapshot(d.agent().seq(), d.agent().setId(), keys, d.inbox().size());
    }

    // ---------------------------------------------------------------- the story

    @Test
    @Order(1)
    void theSetIsRenewedByItsOwnerAndEveryCapturedKeyIsReplaced() throws Exception {
        // D2D traffic between X, Y and Z all along the renewal: none of it may be refused or lost
        List<SimulatedDevices.Device> talkers = List.of(x, y, z);
        long[] refusedBefore = talkers.stream().mapToLong(d -> d.agent().refusedD2D()).toArray();
        talkers.forEach(d -> d.inbox().clear());
        List<String> sent = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean talking = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            int n = 0;
            while (talking.get()) {
                for (SimulatedDevices.Device a : talkers) {
                    for (SimulatedDevices.Device b : talkers) {
                        // not X to Y: the packet held back is X's latest to Y, and Y's replay mark
                        // for X would refuse it behind newer ones (the window is a high-water mark)
                        if (a != b && !(a == x && b == y)) {
                            String text = "across " + (n++) + ":" + a.node() + "->" + b.node();
                            try {
                                D2DChecks.send(a, b, text);
                                sent.add(text);
                            } catch (java.io.IOException e) {
                                sent.add("send failed: " + e);
                            }
                        }
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "traffic-across-renewal");
        traffic.setDaemon(true);
        traffic.start();
        JsonNode renewal = RunningTestnet.await("a RENEW of set " + setA + " after operation " + capturedAtOps,
                RENEWAL_WAIT, () -> {
                    List<JsonNode> ops = operations();
                    for (int i = (int) capturedAtOps; i < ops.size(); i++) {
                        JsonNode e = ops.get(i);
                        if (e.path("operation").asText().equals("renew") && e.path("set_id").asInt() == setA) {
                            return ((ObjectNode) e.deepCopy()).put("seq", i + 1);
                        }
                    }
                    return null;
                }, e -> e != null);
        renewalSeq = renewal.path("seq").asLong();
        renewalHeight = renewal.path("height").asLong();
        assertEquals(1, renewal.path("gateway").asInt(), "the renewal was submitted by set " + setA + "'s owner");
        assertEquals(0, renewal.path("node_id").asInt(), "a renewal names its set only");
        RunningTestnet.await("X, Y and Z to hold the renewal at seq " + renewalSeq, WAIT,
                () -> x.agent().seq() >= renewalSeq && y.agent().seq() >= renewalSeq && z.agent().seq() >= renewalSeq);
        yRenewedAtMillis = System.currentTimeMillis();
        Thread.sleep(1000);
        talking.set(false);
        traffic.join(5000);
        RunningTestnet.await("every message sent across the renewal to arrive (" + sent.size() + " sent)", WAIT,
                () -> talkers.stream().mapToInt(d -> d.inbox().size()).sum() >= sent.size());
        for (int i = 0; i < talkers.size(); i++) {
            assertEquals(refusedBefore[i], talkers.get(i).agent().refusedD2D(),
                    talkers.get(i).name() + " refused messages sent across the renewal");
        }
        assertTrue(sent.stream().noneMatch(t -> t.startsWith("send failed")), "a send failed: " + sent);
        System.out.println("KeyRenewalIT: " + sent.size() + " D2D messages across the renewal of set " + setA
                + " (operation " + renewalSeq + "), none refused");

        // every captured key has a new value at X, from the renewal on
        for (Map.Entry<String, KeyMaterial> c : captured.entrySet()) {
            KeyMaterial now = key(x, c.getValue().id());
            assertFalse(Arrays.equals(c.getValue().key(), now.key()), "X's " + c.getKey() + " was not renewed");
            assertTrue(now.seq() >= renewalSeq, "X's " + c.getKey() + " is from seq " + now.seq() + ", before the renewal");
        }
        // and the new values are the ones X's peers hold (so D2D goes on)
        KeyId pairNode = KeyId.pairwiseNodeKey(x.node(), y.node());
        KeyId pairSet = KeyId.pairwiseSetKey(setA, setB);
        assertTrue(Arrays.equals(key(x, pairNode).key(), key(y, pairNode).key()), "X and Y disagree on " + pairNode);
        assertTrue(Arrays.equals(key(x, KeyId.setKey(setA)).key(), key(y, KeyId.setKey(setA)).key()),
                "X and Y disagree on set " + setA + "'s key");
        assertTrue(Arrays.equals(key(x, pairSet).key(), key(z, pairSet).key()), "X and Z disagree on " + pairSet);
        assertTrue(net.log(1).contains("keys of set " + setA + " are due for renewal"),
                "gateway 1 logs why it renewed set " + setA);
    }

    @Test
    @Order(2)
    void aMessageInFlightAcrossTheRenewalOpensAndEveryPairExchangesAfterIt() throws Exception {
        // sealed under the pairwise node key the renewal replaced; Y keeps that value for its grace period
        assertTrue(System.currentTimeMillis() - yRenewedAtMillis < 20_000, "step 1 took too long to test the grace");
        long refused = y.agent().refusedD2D();
        deliver(inFlight, y);
        awaitReceived(y, x.node(), "sent before the renewal", WAIT);
        assertEquals(refused, y.agent().refusedD2D(), "Y refused X's message in flight across the renewal");

        awaitQuiet();
        D2DChecks.everyPairExchanges(sim.all(), "after the renewal");
    }

    @Test
    @Order(3)
    void aMessageForgedUnderTheOldPairwiseNodeKeyAfterTheGracePeriodIsRefused() throws Exception {
        KeyMaterial old = captured.get("pairwise node key with " + y.node());
        long graceEnds = yRenewedAtMillis + chainkm.device.agent.DeviceAgent.DEFAULT_GRACE.toMillis() + 1000;
        RunningTestnet.await("Y's grace period for the renewed keys to end", WAIT,
                () -> System.currentTimeMillis() > graceEnds);
        String logged = "fails authentication under " + old.id();
        long lastLine = lastLogged(y, logged);
        RunningTestnet.await("the refusal log's period to pass", WAIT,
                () -> System.currentTimeMillis() - lastLine > LOG_PERIOD.toMillis() + 200);
        awaitQuiet();

        Snapshot before = snapshot(y);
        long refused = y.agent().refusedD2D();
        long lines = logLines(y, logged);
        // the attacker writes as X, under the key it took from X, with a counter no window has seen
        byte[] forged = D2DMessage.seal(x.node(), y.node(), old.id(), old.seq(), 1L << 40, old.key(),
                "OPEN DOOR (old key)".getBytes(StandardCharsets.UTF_8)).encode();
        deliver(forged, y);
        RunningTestnet.await("Y to refuse the forged message", WAIT, () -> y.agent().refusedD2D() > refused);
        RunningTestnet.await("Y to log the refusal", WAIT, () -> logLines(y, logged) > lines);
        assertEquals(refused + 1, y.agent().refusedD2D(), "refused exactly once");
        assertEquals(before, snapshot(y), "the forged message changed Y (seq, keys or inbox)");
        assertTrue(y.inbox().stream().noneMatch(r -> r.text().startsWith("OPEN DOOR")), "the forged message arrived");

        // X's real messages still arrive
        String text = "X after the forgery " + RANDOM.nextInt();
        D2DChecks.send(x, y, text);
        awaitReceived(y, x.node(), text, WAIT);
        assertEquals(refused + 1, y.agent().refusedD2D(), "X's real message was refused");
    }

    @Test
    @Order(4)
    void aRenewalSignedByAGatewayThatDoesNotOwnTheSetIsRefusedAndChangesNothing() throws Exception {
        awaitQuiet();
        Ed25519.KeyPair gateway2 = GatewayKey.load(home(2).resolve("gateway.key"));
        byte[] refresh = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        RANDOM.nextBytes(refresh);
        byte[] tx = LedgerTx.sign(new ChangeRecord(Operation.RENEW, 0, setA, new byte[ChangeRecord.HASH_SIZE], refresh),
                2, new byte[0], gateway2).encode();
        String state = net.awaitSameAppHash(WAIT);
        String appHash = state.substring(state.indexOf('/') + 1);
        Set<Integer> members = net.members(1);
        long ops = net.operations();
        Snapshot xBefore = snapshot(x);

        for (int g : net.ids()) {
            CometRpc.BroadcastResult r = net.rpc(g).broadcastTxSync(tx);
            assertEquals(TxCode.RENEW_NOT_OWNER.code(), r.code(), "at gateway " + g + "'s validator: " + r);
            assertEquals(27, r.code());
        }
        RunningTestnet.await("gateway 2 to log the refusal", WAIT,
                () -> net.log(2).contains("CheckTx refused: RENEW_NOT_OWNER") && net.log(2).contains("set " + setA + " is gateway 1's"));
        long height = net.height(1);
        net.awaitHeight(height + 3, WAIT);
        String after = net.awaitSameAppHash(WAIT);
        assertEquals(appHash, after.substring(after.indexOf('/') + 1), "the app hash changed");
        assertEquals(members, net.members(1), "the members changed");
        assertEquals(members, net.members(2), "gateway 2 sees other members");
        assertEquals(ops, net.operations(), "a key operation was committed");
        assertTrue(net.rpc(1).tx(CometRpc.txHashHex(tx)).isEmpty(), "the refused renewal is in a block");
        assertEquals(xBefore, snapshot(x), "X's keys changed");
    }

    @Test
    @Order(5)
    void theCapturedKeysOpenNoRekeyMessagePublishedAfterTheRenewal() throws Exception {
        // more traffic under the renewed keys: a newcomer joins X's gateway (set keys roll forward with a
        // refresh key that is public on the ledger: from a renewed key, not from the captured one)
        awaitQuiet();
        long before = net.operations();
        sim.startOne("late", 1);
        awaitEveryDeviceAtLedgerSeq(WAIT);
        assertTrue(net.operations() > before, "the newcomer's join is on the ledger");
        Thread.sleep(1000); // the last publishes reach the spies (absence of more is not an event)

        int after = 0;
        int notices = 0;
        List<String> opened = new ArrayList<>();
        for (byte[] bytes : recorded) {
            RekeyMessage m = RekeyMessage.decode(bytes);
            if (m.seq() < renewalSeq) {
                continue;
            }
            if (m.seq() == renewalSeq && m.kind() == RekeyMessage.Kind.NODE) {
                assertFalse(m.target() == x.node() || m.target() == y.node(),
                        "a renewal's NODE message for a member of set " + setA + " went out on MQTT: " + m);
            }
            for (Map.Entry<String, KeyMaterial> c : captured.entrySet()) {
                List<KeyUpdate> content;
                try {
                    content = m.open(c.getValue().key());
                } catch (Exception refused) {
                    continue; // does not open under that key
                }
                boolean notice = m.seq() == renewalSeq && m.operation() == Operation.RENEW && content.isEmpty();
                if (notice) {
                    notices++; // the renewal's notice, under the set key it replaces: it carries nothing
                } else {
                    opened.add(m + " under the captured " + c.getKey() + " (" + content.size() + " updates)");
                }
            }
            if (m.seq() > renewalSeq) {
                after++;
            }
        }
        System.out.println("KeyRenewalIT: " + recorded.size() + " rekey messages recorded, " + after
                + " after the renewal; the captured set key opened " + notices + " empty notice(s)");
        assertTrue(after > 0, "no rekey message after the renewal was recorded: the check saw nothing");
        assertEquals(List.of(), opened, "captured keys opened rekey messages published after the renewal");
    }
}
