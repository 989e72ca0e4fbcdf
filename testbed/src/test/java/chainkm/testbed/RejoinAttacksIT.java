package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.cli.Provisioner;
import chainkm.device.agent.Provisioning;
import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.rekey.Rejoin;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, the attacks on rejoin, against real gateways: a replayed proof, proofs built from
 * what the ledger shows, and a rejoin of an evicted device are refused with a reason and change
 * nothing on the ledger; a second agent with the same identity (a cloned SD card) is detected
 * and the identity evicted (clone_policy = "evict", the default).
 */
class RejoinAttacksIT extends TestnetIT {
    private JsonNode node(int id) {
        return net.query(1, "/node", Integer.toString(id));
    }

    /** The attacker: a provisioned device of its own, posting rejoins for someone else's node. */
    private void assertRefused(Provisioning attacker, int gateway, int node, byte[] link, String reason) throws Exception {
        try (GatewayCoapClient c = new GatewayCoapClient(attacker.gateway(gateway).coap(), attacker.bootstrapIdentity(),
                attacker.bootstrapPsk(), Duration.ofSeconds(20))) {
            GatewayResponseException e = assertThrows(GatewayResponseException.class,
                    () -> c.rejoin(new Rejoin.Request(node, 0, link).encode()));
            assertEquals("5.03", e.responseCode(), e.getMessage());
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        }
    }

    @Test
    void replayedLedgerDerivedAndEvictedRejoinsAreRefusedAndAClonedAgentIsDetected() throws Exception {
        net = RunningTestnet.start(dir, 4);
        sim = SimulatedDevices.start(dir, "r", 4);
        RunningTestnet.await("every device to apply every join", Duration.ofSeconds(60),
                () -> sim.all().stream().allMatch(d -> d.agent().seq() == 4));
        Provisioning mallory = Provisioner.provision(dir, "mallory", 1);
        SimulatedDevices.Device victim = sim.get("r1");
        int v = victim.node();

        // a legitimate move first: its link is now on the ledger, as the anchor
        victim.agent().moveTo(2);
        RunningTestnet.await("the victim's REJOIN to commit", Duration.ofSeconds(30),
                () -> node(v).path("attached_gateway").asInt() == 2);
        byte[] anchor = Hex.decode(node(v).path("secret_code_hash").asText());
        JsonNode before = node(v);

        assertRefused(mallory, 3, v, anchor, "already used");                     // the replayed proof
        assertRefused(mallory, 4, v, Sha256.hash(anchor), "already used");        // a proof built from the ledger
        assertRefused(mallory, 3, v, Sha256.hash(Sha256.hash(anchor)), "already used");
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        assertRefused(mallory, 3, v, random, "does not match");                   // a guess
        assertRefused(mallory, 3, 123456789, random, "not a member");             // a node that never was
        assertEquals(before, node(v), "refused rejoins leave the ledger as it was");
        assertTrue(net.net.status(3).path("replayed_rejoins_refused").asInt() >= 2);
        assertEquals(2, victim.agent().attachedGateway());

        // an evicted device cannot come back by rejoining
        SimulatedDevices.Device evicted = sim.get("r3");
        int e = evicted.node();
        JsonNode r = net.submit(1, "evict", "commit", e, false);
        assertEquals("committed", r.path("status").asText(), r.toString());
        IOException refused = assertThrows(IOException.class, () -> evicted.agent().rejoin(4));
        assertTrue(refused.getMessage().contains("evicted"), refused.getMessage());
        assertEquals(5, net.query(1, "/status", "").path("operations").asLong(), "4 joins and the evict, nothing else");

        // a cloned SD card: a second agent on a copy of r2's state moves away; the original keeps using the identity
        SimulatedDevices.Device original = sim.get("r2");
        int c = original.node();
        RunningTestnet.await("r2 to apply the evict", Duration.ofSeconds(30), () -> original.agent().seq() == 5);
        Path copy = dir.resolve("clone-of-r2");
        copyTree(sim.stateDir("r2"), copy);
        Provisioning r2 = Provisioner.provision(dir, "r2", original.agent().gatewayId());
        try (chainkm.device.agent.DeviceAgent clone = chainkm.device.agent.DeviceAgent.start(r2, copy,
                chainkm.device.agent.DeviceAgent.Options.defaults(), (from, payload) -> { })) {
            int home = original.agent().attachedGateway();
            int elsewhere = home % 4 + 1;
            clone.moveTo(elsewhere);
            RunningTestnet.await("the clone's REJOIN to commit", Duration.ofSeconds(30),
                    () -> node(c).path("attached_gateway").asInt() == elsewhere);
            Thread.sleep(3000); // past the grace for requests in flight
            assertThrows(IOException.class, original.agent()::catchUp, "the original's gateway refuses the identity");
            RunningTestnet.await("the cloned identity to be evicted", Duration.ofSeconds(30),
                    () -> net.query(1, "/status", "").path("operations").asLong() == 6);
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
