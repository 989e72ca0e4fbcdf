package chainkm.testbed;

import static chainkm.testbed.DeviceAssert.assertThat;
import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
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
    /** The attacker: a device of the network with its own identity, posting rejoins for someone else's node. */
    private SimulatedDevices.Device mallory;

    /** A client with the identity key in {@code d}'s own state directory, towards {@code gateway}. */
    private GatewayCoapClient clientOf(SimulatedDevices.Device d, int gateway) throws IOException {
        Provisioning.Gateway g = sim.provisioning(d.name()).gateway(gateway);
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(
                Files.readAllBytes(sim.stateDir(d.name()).resolve(DeviceAgent.IDENTITY_KEY_FILE)));
        return new GatewayCoapClient(g.coap(), key, g.signingKey(), Duration.ofSeconds(20));
    }

    private void assertRefused(SimulatedDevices.Device as, int gateway, int node, byte[] link, String code, String reason)
            throws Exception {
        try (GatewayCoapClient c = clientOf(as, gateway)) {
            GatewayResponseException e = assertThrows(GatewayResponseException.class,
                    () -> c.rejoin(new Rejoin.Request(node, 0, link).encode()));
            assertEquals(code, e.responseCode(), e.getMessage());
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        }
    }

    @BeforeAll
    void fourDevicesOnFourGateways() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "r", 4);
        awaitEveryDeviceAtSeq(4, Duration.ofSeconds(60));
        mallory = sim.startOne("mallory", 1);
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

        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        // another device of the network, authenticated as itself, cannot rejoin as the victim at all
        assertRefused(mallory, 3, v, anchor, "4.03", "may only rejoin as itself");
        assertRefused(mallory, 3, 123456789, random, "4.03", "may only rejoin as itself");
        // and even with the victim's own identity key (a captured device), the hash chain decides:
        assertRefused(victim, 3, v, anchor, "5.03", "already used");                     // the replayed proof
        assertRefused(victim, 4, v, Sha256.hash(anchor), "5.03", "already used");        // a proof built from the ledger
        assertRefused(victim, 3, v, Sha256.hash(Sha256.hash(anchor)), "5.03", "already used");
        assertRefused(victim, 3, v, random, "4.03", "does not match");                   // a guess
        assertEquals(before, net.node(v), "refused rejoins leave the ledger as it was");
        assertTrue(net.net.status(3).path("replayed_rejoins_refused").asInt() >= 2);
        assertThat(victim).isAttachedTo(2);
    }

    @Test
    @Order(2)
    void anEvictedDeviceCannotComeBackByRejoining() throws Exception {
        SimulatedDevices.Device evicted = sim.get("r3");
        assertThat(net.evict(net.node(evicted.node()).owner(), evicted.node()).commit()).isCommitted();
        // its identity is revoked on the ledger: gateway 4 refuses the handshake itself, and says why
        assertThrows(IOException.class, () -> evicted.agent().rejoin(4));
        RunningTestnet.await("gateway 4 to log the refused handshake", Duration.ofSeconds(10),
                () -> net.log(4).contains("DTLS handshake refused: revoked identity r3"));
        assertEquals(6, net.operations(), "5 joins (4 devices and the attacker) and the evict, nothing else");
    }

    @Test
    @Order(3)
    void aClonedAgentIsDetectedAndItsIdentityEvicted() throws Exception {
        // a second agent on a copy of r2's state moves away; the original keeps using the identity
        SimulatedDevices.Device original = sim.get("r2");
        int c = original.node();
        awaitAtSeq(6, Duration.ofSeconds(30), original);
        Path copy = dir.resolve("clone-of-r2");
        copyTree(sim.stateDir("r2"), copy);
        Provisioning r2 = sim.provisioning("r2"); // the clone has the whole SD card: bundle and state
        try (DeviceAgent clone = DeviceAgent.start(r2, copy, DeviceAgent.Options.defaults(), (from, payload) -> { })) {
            int home = original.agent().attachedGateway();
            int elsewhere = home % 4 + 1;
            clone.moveTo(elsewhere);
            net.awaitAttachedOnLedger(c, elsewhere, Duration.ofSeconds(30));
            Thread.sleep(3000); // past the grace for requests in flight
            assertThrows(IOException.class, original.agent()::catchUp, "the original's gateway refuses the identity");
            net.awaitOperations(7, Duration.ofSeconds(30));
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
