package chainkm.testbed;

import static chainkm.testbed.DeviceAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.agent.AgentListener;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.rekey.Rejoin;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 4: an outage cannot lock a device out of rejoining. Every gateway is killed;
 * the device goes round them several times (no gateway answers, so no link is spent); its own
 * gateway returns and it reattaches there without a rejoin; it then rejoins elsewhere with its
 * next link. A device whose next link lies out of the ledger's window re-anchors with a request
 * signed by its identity key; a re-anchor signed by any other key is refused by the gateway and
 * by the ledger, and changes nothing.
 */
class RejoinLockoutIT extends ScenarioIT {
    static final Duration ORPHAN_AFTER = Duration.ofSeconds(4);
    static final int ROUNDS = 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AtomicInteger roundsOfL1 = new AtomicInteger();
    private SimulatedDevices.Device l1;
    /** l1's node id (its agent is replaced in step 3). */
    private int node;
    private DeviceAgent restarted;

    private int linksUsed(String name) throws Exception {
        Path f = sim.stateDir(name).resolve("rejoin.index");
        return Files.exists(f) ? ByteBuffer.wrap(Files.readAllBytes(f)).getInt() : 0;
    }

    @BeforeAll
    void fourDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.create(dir);
        sim.orphanAfter(ORPHAN_AFTER);
        sim.addAgentListener(new AgentListener() {
            @Override
            public void event(DeviceAgent agent, Event event, String detail) {
                if (event == Event.GATEWAY_LOST && agent.name().equals("l1")) {
                    roundsOfL1.incrementAndGet();
                }
            }
        });
        sim.add("l", 1, 4);
        awaitLedgerAndEveryDeviceAtSeq(4, Duration.ofSeconds(90));
        l1 = sim.get("l1");
        node = l1.node();
    }

    @AfterAll
    void closeRestarted() {
        if (restarted != null) {
            restarted.close();
        }
    }

    @Test
    @Order(1)
    void anOutageOfEveryGatewaySpendsNoLinkAndTheDeviceReturnsToItsOwnGateway() throws Exception {
        int own = l1.agent().attachedGateway();
        int before = linksUsed("l1");
        for (int g : net.ids()) {
            net.net.kill(g);
        }
        RunningTestnet.await(ROUNDS + " rounds of l1 over every gateway", Duration.ofSeconds(240),
                () -> roundsOfL1.get() >= ROUNDS);
        assertEquals(before, linksUsed("l1"), "no gateway answered, so no link was spent in " + roundsOfL1.get() + " rounds");

        net.net.startGateway(own); // its own gateway first: it goes back there, with no rejoin
        RunningTestnet.await("l1 back at its gateway " + own, Duration.ofSeconds(120),
                () -> l1.agent().attachedGateway() == own && l1.agent().state() == AgentListener.State.JOINED);
        for (int g : net.ids()) {
            if (g != own) {
                net.net.startGateway(g);
            }
        }
        net.awaitSameAppHash(Duration.ofSeconds(180));
        assertEquals(before, linksUsed("l1"), "returning to its own gateway costs no link");
        assertEquals(own, net.node(l1.node()).attachedGateway());
    }

    @Test
    @Order(2)
    void afterTheOutageItRejoinsAnotherGatewayWithItsNextLink() throws Exception {
        int target = l1.agent().attachedGateway() % 4 + 1;
        l1.agent().moveTo(target);
        net.awaitAttachedOnLedger(l1.node(), target, Duration.ofSeconds(60));
        assertThat(l1).isAttachedTo(target);
    }

    @Test
    @Order(3)
    void aDeviceOutOfTheWindowReanchorsWithItsIdentityKey() throws Exception {
        sim.stop("l1");
        Path state = sim.stateDir("l1");
        int used = linksUsed("l1");
        // as if 100 links had been lost: the next one is out of the ledger's window
        Files.write(state.resolve("rejoin.index"), ByteBuffer.allocate(4).putInt(used + RejoinChain.MAX_SKIP + 36).array());
        byte[] oldSeed = Files.readAllBytes(state.resolve("rejoin.seed"));
        restarted = DeviceAgent.start(sim.provisioning("l1"), state, new DeviceAgent.Options(
                new InetSocketAddress("127.0.0.1", 0), DeviceAgent.DEFAULT_GRACE, Duration.ofSeconds(30), ORPHAN_AFTER),
                (from, payload) -> { });
        int target = restarted.attachedGateway() % 4 + 1;
        restarted.moveTo(target);
        net.awaitAttachedOnLedger(node, target, Duration.ofSeconds(60));
        byte[] newSeed = Files.readAllBytes(state.resolve("rejoin.seed"));
        assertFalse(java.util.Arrays.equals(oldSeed, newSeed), "a new chain");
        RunningTestnet.await("the new anchor on the ledger", Duration.ofSeconds(30),
                () -> java.util.Arrays.equals(RejoinChain.anchor(newSeed), net.node(node).secretCodeHash()));
        assertEquals(0, linksUsed("l1"));
        assertTrue(net.log(target).contains("re-anchored its rejoin chain"), "the gateway logs the re-anchor");
        // and the new chain works
        int next = target % 4 + 1;
        restarted.moveTo(next);
        net.awaitAttachedOnLedger(node, next, Duration.ofSeconds(60));
        assertEquals(1, linksUsed("l1"));
    }

    @Test
    @Order(4)
    void aReanchorSignedByAnotherKeyIsRefusedByTheGatewayAndByTheLedgerAndChangesNothing() throws Exception {
        LedgerNode before = net.node(node);
        byte[] anchor = RejoinChain.anchor(RejoinChain.newSeed(RANDOM));
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
        DeviceAuthorization forged = DeviceAuthorization.forReanchor("l1", node, anchor, other);

        // through a gateway, in a session authenticated with l1's own identity key (a captured device)
        Provisioning p = sim.provisioning("l1");
        int gw = before.attachedGateway() % 4 + 1;
        Ed25519.KeyPair idKey = Ed25519.KeyPair.fromPrivateKey(
                Files.readAllBytes(sim.stateDir("l1").resolve(DeviceAgent.IDENTITY_KEY_FILE)));
        try (GatewayCoapClient c = new GatewayCoapClient(p.gateway(gw).coap(), idKey, p.gateway(gw).signingKey(),
                Duration.ofSeconds(20))) {
            GatewayResponseException e = assertThrows(GatewayResponseException.class,
                    () -> c.rejoin(new Rejoin.Reanchor(node, 0, anchor, forged.signature()).encode()));
            assertEquals("4.03", e.responseCode(), e.getMessage());
            assertTrue(e.getMessage().contains("not signed by l1's identity key"), e.getMessage());
        }
        assertTrue(net.log(gw).contains("re-anchor of node " + node + " refused"), "the gateway logs the refusal");

        // straight to the ledger, by a consortium gateway that signs what it likes
        Ed25519.KeyPair gateway2 = GatewayKey.load(dir.resolve("gateway-2").resolve("gateway.key"));
        byte[] refresh = new byte[16];
        for (DeviceAuthorization auth : List.of(forged, DeviceAuthorization.forLeave("l1", node, idKey))) {
            byte[] tx = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, node, before.setId(), anchor, refresh), 2,
                    auth.encode(), gateway2).encode();
            CometRpc.BroadcastResult r = net.rpc(2).broadcastTxSync(tx);
            assertEquals(TxCode.BAD_DEVICE_SIGNATURE.code(), r.code(), r.toString());
        }
        net.awaitHeight(net.height(1) + 2, Duration.ofSeconds(30));
        assertEquals(before, net.node(node), "refused re-anchors leave the ledger as it was");
    }

    @Test
    @Order(5)
    void everyStateDirectoryIs0700AndEveryStateFile0600() throws Exception {
        try (Stream<Path> all = Files.walk(sim.stateDir("l1"))) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
            }
        }
    }
}
