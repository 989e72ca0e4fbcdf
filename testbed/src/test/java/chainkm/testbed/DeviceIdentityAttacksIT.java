package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.Provisioner;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.crypto.TlsPin;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.sets.Assignment;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, device identities under attack on a live 4-gateway testnet. Each attacker holds
 * everything it could: gateway 2 every file of its own home, a finder the provisioning bundle
 * of a device that booted, an evicted device every file of its state directory. Each attack is
 * refused with a reason (a CoAP or ledger code, a gateway log line) and changes nothing: the
 * victim's identity on the ledger, the members and the key operations stay as they were.
 */
class DeviceIdentityAttacksIT extends ScenarioIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration TIMEOUT = Duration.ofSeconds(8);
    /** A DTLS session the server completed: {@code openssl s_client} prints the cipher it agreed. */
    private static final Pattern AGREED_CIPHER = Pattern.compile("Cipher is (?!\\(NONE\\))");

    @BeforeAll
    void fourDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "v", 4); // v1 on gateway 1, ... v4 on gateway 4
        awaitEveryDeviceAtSeq(4, Duration.ofSeconds(60));
    }

    private Path home(int gateway) {
        return dir.resolve("gateway-" + gateway);
    }

    private Ed25519.KeyPair gatewayKey(int gateway) throws IOException {
        return GatewayKey.load(GatewayHome.at(home(gateway)).gatewayKey());
    }

    private Provisioning.Gateway gateway(int id) throws IOException {
        return Provisioner.gateways(dir, id).get(0);
    }

    /** A device-side DTLS client towards {@code gateway}, authenticating with {@code key}. */
    private GatewayCoapClient clientWith(Ed25519.KeyPair key, int gateway) throws IOException {
        Provisioning.Gateway g = gateway(gateway);
        return new GatewayCoapClient(g.coap(), key, g.signingKey(), TIMEOUT);
    }

    private Ed25519.KeyPair identityKeyOf(String device) throws IOException {
        return Ed25519.KeyPair.fromPrivateKey(Files.readAllBytes(sim.stateDir(device).resolve(DeviceAgent.IDENTITY_KEY_FILE)));
    }

    private static String prefix(Ed25519.KeyPair key) {
        return Hex.encode(key.publicKey()).substring(0, 8);
    }

    /** Waits until {@code gateway} has logged {@code line}. */
    private void awaitLogged(int gateway, String line) throws InterruptedException {
        RunningTestnet.await("gateway " + gateway + " to log '" + line + "'", Duration.ofSeconds(10),
                () -> net.log(gateway).contains(line));
    }

    /** The handshake with {@code key} fails at {@code gateway}, which says why in its log. */
    private void assertHandshakeRefused(Ed25519.KeyPair key, int gateway, String why) throws Exception {
        try (GatewayCoapClient c = clientWith(key, gateway)) {
            assertThrows(IOException.class, () -> c.catchUp(0), "gateway " + gateway + " took the key");
        }
        awaitLogged(gateway, "DTLS handshake refused: " + why);
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }

    /** What the ledger and the victims look like: must not move under a refused attack. */
    private record Snapshot(long operations, java.util.Set<Integer> members, List<JsonNode> identities) {}

    private Snapshot snapshot(String... names) throws InterruptedException {
        net.awaitSameAppHash(Duration.ofSeconds(60));
        List<JsonNode> ids = new ArrayList<>();
        for (String n : names) {
            ids.add(net.query(1, "/identity", n));
        }
        return new Snapshot(net.operations(), net.members(1), ids);
    }

    @Test
    @Order(1)
    void aGatewayWithEveryFileOfItsHomeCannotActAsAnotherGatewaysDevice() throws Exception {
        Snapshot before = snapshot("v1");
        assertEquals("active", before.identities().get(0).path("state").asText());
        Ed25519.KeyPair own = gatewayKey(2);
        byte[] master = Files.readAllBytes(GatewayHome.at(home(2)).masterSecret());

        // its own signing key, and keys derived from its master secret, are no device's identity
        assertHandshakeRefused(own, 1, "unknown key " + prefix(own));
        Ed25519.KeyPair derived = Ed25519.KeyPair.fromPrivateKey(
                Sha256.hash(concat(master, "v1".getBytes(StandardCharsets.US_ASCII))));
        assertHandshakeRefused(derived, 1, "unknown key " + prefix(derived));

        // a standard client: the former bootstrap PSK identity, and an X.509 certificate
        int port = gateway(1).coap().getPort();
        String psk = opensslClient(port, List.of("-psk_identity", "boot-v1", "-psk", Hex.encode(random(16)),
                "-cipher", "PSK-AES128-CCM8"));
        assertFalse(AGREED_CIPHER.matcher(psk).find(), "a PSK session for boot-v1:\n" + psk);
        awaitLogged(1, "DTLS handshake refused: unknown PSK identity 'boot-v1'");
        // libcoap's standard client with the same PSK identity asks for a join: no session, no answer
        String coap = run(List.of("coap-client-openssl", "-m", "post", "-u", "boot-v1-coap", "-k", Hex.encode(random(16)),
                "-B", "5", "coaps://127.0.0.1:" + port + "/join"));
        assertFalse(coap.matches("(?s).*\\b2\\.\\d\\d\\b.*"), "libcoap got an answer:\n" + coap);
        awaitLogged(1, "DTLS handshake refused: unknown PSK identity 'boot-v1-coap'");
        Path certDir = Files.createDirectories(dir.resolve("attacker-cert"));
        run(List.of("openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-subj", "/CN=v1", "-days", "1",
                "-keyout", certDir.resolve("k.pem").toString(), "-out", certDir.resolve("c.pem").toString()));
        String x509 = opensslClient(port, List.of("-cert", certDir.resolve("c.pem").toString(), "-key",
                certDir.resolve("k.pem").toString(), "-cipher", "ECDHE-ECDSA-AES128-CCM8"));
        assertFalse(AGREED_CIPHER.matcher(x509).find(), "a certificate session:\n" + x509);

        // on the ledger: it can neither enroll the name again nor activate it with a key of its own
        Ed25519.KeyPair mine = Ed25519.KeyPair.generate(RANDOM);
        CometRpc rpc = net.rpc(2);
        CometRpc.BroadcastResult reenroll = rpc.broadcastTxSync(LedgerTx.sign(blank(Operation.ENROLL), 2,
                new DeviceEnrollment("v1", mine.publicKey()).encode(), own).encode());
        assertEquals(TxCode.NAME_TAKEN.code(), reenroll.code(), reenroll.log());
        CometRpc.BroadcastResult activate = rpc.broadcastTxSync(LedgerTx.sign(blank(Operation.ACTIVATE), 2,
                IdentityActivation.sign("v1", own, mine).encode(), own).encode());
        assertEquals(TxCode.IDENTITY_NOT_ENROLLED.code(), activate.code(), activate.log());

        assertEquals(before, snapshot("v1"), "refused attacks change nothing");
        assertTrue(sim.get("v1").agent().catchUp() >= 0, "the victim still talks to its gateway");
    }

    @Test
    @Order(2)
    void aProvisioningBundleFoundAfterFirstBootOpensNothing() throws Exception {
        Snapshot before = snapshot("v2");
        Ed25519.KeyPair enrollment = sim.provisioning("v2").enrollmentKey().orElseThrow();
        Ed25519.KeyPair mine = Ed25519.KeyPair.generate(RANDOM);
        for (int g : net.ids()) {
            try (GatewayCoapClient c = clientWith(enrollment, g)) {
                assertThrows(IOException.class, () -> c.activate(IdentityActivation.sign("v2", enrollment, mine)),
                        "gateway " + g + " took the spent enrollment key");
            }
            awaitLogged(g, "DTLS handshake refused: unknown key " + prefix(enrollment));
        }
        assertEquals(before, snapshot("v2"), "refused attacks change nothing");
    }

    @Test
    @Order(3)
    void aCopiedCommitmentIsUselessToTheGatewayAndTheRealDeviceStillJoins() throws Exception {
        // a newcomer: provisioned, first boot activates its own key through gateway 1
        Provisioning bundle = Provisioner.provision(dir, "newcomer", 1);
        Ed25519.KeyPair identity = Ed25519.KeyPair.generate(RANDOM);
        try (GatewayCoapClient boot = clientWith(bundle.enrollmentKey().orElseThrow(), 1)) {
            boot.activate(IdentityActivation.sign("newcomer", bundle.enrollmentKey().orElseThrow(), identity));
        }
        byte[] commitment = RejoinChain.anchor(RejoinChain.newSeed(RANDOM));
        long operations = net.operations();

        // gateway 2 sees the commitment (in the mempool, say) and tries to use it first
        Ed25519.KeyPair own = gatewayKey(2);
        int set = Assignment.selectSet(net.layout(2), 2);
        CometRpc.BroadcastResult inItsName = net.rpc(2).broadcastTxSync(LedgerTx.sign(
                new ChangeRecord(Operation.JOIN, 720_000_001, set, commitment, random(16)), 2,
                DeviceAuthorization.forJoin("newcomer", commitment, own).encode(), own).encode());
        assertEquals(TxCode.BAD_DEVICE_SIGNATURE.code(), inItsName.code(), inItsName.log());
        // under an identity of its own the copy commits, and harms nobody: commitments are per identity
        String puppet = "puppet-" + Integer.toHexString(RANDOM.nextInt());
        Ed25519.KeyPair puppetKey = Ed25519.KeyPair.generate(RANDOM);
        assertTrue(net.rpc(2).broadcastTxCommit(LedgerTx.sign(blank(Operation.ENROLL), 2,
                new DeviceEnrollment(puppet, puppetKey.publicKey()).encode(), own).encode()).isOk());
        CometRpc.CommitResult copied = net.rpc(2).broadcastTxCommit(LedgerTx.sign(
                new ChangeRecord(Operation.JOIN, 720_000_002, set, commitment, random(16)), 2,
                DeviceAuthorization.forJoin(puppet, commitment, puppetKey).encode(), own).encode());
        assertTrue(copied.isOk(), copied.toString());

        // the real device joins with its commitment, signed with its own key
        JoinBundle joined;
        try (GatewayCoapClient device = clientWith(identity, 1)) {
            joined = JoinBundle.decode(device.join(JoinRequest.sign("newcomer", commitment, identity)));
        }
        assertArrayEquals(commitment, joined.commitment());
        net.awaitMembers(List.of(joined.nodeId()), Duration.ofSeconds(30));
        assertEquals(operations + 2, net.operations(), "the puppet's join and the newcomer's");
        assertEquals(joined.nodeId(), net.query(1, "/identity", "newcomer").path("node").asInt());
    }

    @Test
    @Order(4)
    void anEvictedDeviceIsRefusedByEveryGatewayAndByTheBroker() throws Exception {
        SimulatedDevices.Device victim = sim.get("v3");
        int node = victim.node();
        Ed25519.KeyPair key = identityKeyOf("v3");
        MqttCredential saved;
        try (GatewayCoapClient c = clientWith(key, 3)) {
            saved = c.mqttCredential();
        }
        assertThat(net.evict(3, node).commit()).isCommitted();
        sim.stop("v3");
        Snapshot before = snapshot("v3");
        assertEquals("revoked", before.identities().get(0).path("state").asText());

        // with every file of its state directory: no gateway completes a handshake, so no join,
        // rejoin, catch-up or credential
        for (int g : net.ids()) {
            assertHandshakeRefused(key, g, "revoked identity v3");
        }
        // and the MQTT credential it saved before the eviction no longer connects
        MqttException refused = assertThrows(MqttException.class, () -> mqtt(3, saved, "node-" + node));
        assertTrue(refused.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                || refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED, refused.toString());
        assertEquals(before, snapshot("v3"), "refused attacks change nothing");
    }

    private MqttClient mqtt(int gateway, MqttCredential credential, String clientId) throws Exception {
        MqttClient c = new MqttClient(gateway(gateway).mqttUrl(), clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        TlsPin pin = Genesis.load(GatewayHome.at(home(gateway)).genesis()).mqttTlsPins().get(gateway);
        o.setSocketFactory(pin.clientContext().getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(false);
        o.setUserName(credential.user());
        o.setPassword(credential.password());
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        try {
            c.connect(o);
            return c;
        } finally {
            if (!c.isConnected()) {
                c.close();
            }
        }
    }

    private static ChangeRecord blank(Operation op) {
        return new ChangeRecord(op, 0, 0, new byte[32], random(16));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@code openssl s_client -dtls1_2} against the gateway's CoAP port; its whole output. */
    private String opensslClient(int port, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port));
        cmd.addAll(options);
        return run(cmd);
    }

    private String run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile(dir, "cmd", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return Files.readString(out);
    }
}
