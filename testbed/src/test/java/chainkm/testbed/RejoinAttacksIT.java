package chainkm.testbed;

import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.Provisioner;
import chainkm.device.agent.DeviceAgent;
import chainkm.device.agent.Provisioning;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.rekey.Rejoin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, the attacks on rejoin, against real gateways: a replayed proof, proofs built from
 * what the ledger shows, and a rejoin of an evicted device are refused with a reason and change
 * nothing on the ledger; a second agent with the same identity (a cloned SD card) is detected
 * and the identity evicted (clone_policy = "evict", the default).
 */
class RejoinAttacksIT extends ScenarioIT {
    /** The attacker: a provisioned device of its own, posting rejoins for someone else's node. */
    private Provisioning mallory;

    private void assertRefused(Provisioning attacker, int gateway, int node, byte[] link, String reason) throws Exception {
        try (GatewayCoapClient c = new GatewayCoapClient(attacker.gateway(gateway).coap(), attacker.bootstrapIdentity(),
                attacker.bootstrapPsk(), Duration.ofSeconds(20))) {
            GatewayResponseException e = assertThrows(GatewayResponseException.class,
                    () -> c.rejoin(new Rejoin.Request(node, 0, link).encode()));
            assertEquals("5.03", e.responseCode(), e.getMessage());
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        }
    }

    @BeforeAll
    void fourDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "r", 4);
        awaitEveryDeviceAtSeq(4, Duration.ofSeconds(60));
        mallory = Provisioner.provision(dir, "mallory", 1);
    }

    @Test
    @Order(1)
    void replayedLedgerDerivedAndGuessedProofsAreRefusedAndChangeNothing() throws Exception {
        SimulatedDevices.Device victim = sim.get("r1");
        int v = victim.node();

        // a legitimate move first: its link is now on the ledger, as the anchor
        victim.agent().moveTo(2);
        net.awaitAttachedOnLedger(v, 2, Duration.ofSeconds(30));
        byte[] anchor = net.node(v).secretCodeHash();
        LedgerNode before = net.node(v);

        assertRefused(mallory, 3, v, anchor, "already used");                     // the replayed proof
        assertRefused(mallory, 4, v, Sha256.hash(anchor), "already used");        // a proof built from the ledger
        assertRefused(mallory, 3, v, Sha256.hash(Sha256.hash(anchor)), "already used");
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        assertRefused(mallory, 3, v, random, "does not match");                   // a guess
        assertRefused(mallory, 3, 123456789, random, "not a member");             // a node that never was
        assertEquals(before, net.node(v), "refused rejoins leave the ledger as it was");
        assertTrue(net.net.status(3).path("replayed_rejoins_refused").asInt() >= 2);
        assertThat(victim).isAttachedTo(2);
    }

    @Test
    @Order(2)
    void anEvictedDeviceCannotComeBackByRejoining() throws Exception {
        SimulatedDevices.Device evicted = sim.get("r3");
        assertThat(net.evict(1, evicted.node()).commit()).isCommitted();
        IOException refused = assertThrows(IOException.class, () -> evicted.agent().rejoin(4));
        assertTrue(refused.getMessage().contains("evicted"), refused.getMessage());
        assertEquals(5, net.operations(), "4 joins and the evict, nothing else");
    }

    @Test
    @Order(3)
    void aClonedAgentIsDetectedAndItsIdentityEvicted() throws Exception {
        // a second agent on a copy of r2's state moves away; the original keeps using the identity
        SimulatedDevices.Device original = sim.get("r2");
        int c = original.node();
        awaitAtSeq(5, Duration.ofSeconds(30), original);
        Path copy = dir.resolve("clone-of-r2");
        copyTree(sim.stateDir("r2"), copy);
        Provisioning r2 = Provisioner.provision(dir, "r2", original.agent().gatewayId());
        try (DeviceAgent clone = DeviceAgent.start(r2, copy, DeviceAgent.Options.defaults(), (from, payload) -> { })) {
            int home = original.agent().attachedGateway();
            int elsewhere = home % 4 + 1;
            clone.moveTo(elsewhere);
            net.awaitAttachedOnLedger(c, elsewhere, Duration.ofSeconds(30));
            Thread.sleep(3000); // past the grace for requests in flight
            assertThrows(IOException.class, original.agent()::catchUp, "the original's gateway refuses the identity");
            net.awaitOperations(6, Duration.ofSeconds(30));
            assertTrue(net.net.status(home).path("clones_detected").asInt() >= 1);
            assertTrue(net.members(1).stream().noneMatch(n -> n == c), "the cloned node is no member any more");
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
