package chainkm.testbed;

import static chainkm.testbed.SubmitAnswer.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.StateFileEdits;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An attacker with write access to a stopped validator's home (gateway 4) alters a member's
 * rejoin anchor in its ledger state file. Edited naively (the trailing checksum fixed, the state
 * digest not), the gateway refuses to start and says which file is corrupt. Edited consistently
 * (the file rewritten by the ledger's own code, digest included), it starts and agrees while no
 * block changes the state, since nothing at start can tell; at the next operation its app hash
 * covers its different state, CometBFT reports the wrong app hash and it stops committing, while
 * the other three commit the operation and go on agreeing.
 */
class CorruptedStateIT extends TestnetIT {
    private static final int VICTIM = 4;

    @Test
    void aValidatorWithARewrittenStateFileIsRefusedAtStartOrStopsAgreeingAtTheNextOperation() throws Exception {
        net = RunningTestnet.start(dir, 4);
        int member = join(1);
        join(2);
        net.awaitSameAppHash(Duration.ofSeconds(60));
        Path home = dir.resolve("gateway-" + VICTIM);
        Path ledger = home.resolve("ledger");
        Path stateFile = ledger.resolve("ledger-state.bin");
        net.net.stop(VICTIM);
        byte[] genuine = Files.readAllBytes(stateFile);

        // a naive edit: refused at start, naming the file
        StateFileEdits.flipAnchorBit(ledger, member);
        long gatewayLogSize = Files.size(home.resolve("gateway.log"));
        net.net.startGateway(VICTIM);
        String refusal = "state file " + stateFile + " is corrupt: its content does not match its digest; restore it or "
                + "resync this node";
        RunningTestnet.await("gateway " + VICTIM + " to refuse its state file", Duration.ofSeconds(60),
                () -> logSince(home.resolve("gateway.log"), gatewayLogSize).contains(refusal));
        assertTrue(net.net.status(VICTIM) == null, "a gateway that refused its state does not answer");
        net.net.stop(VICTIM);

        // a consistent edit: it loads, so the gateway starts and agrees as long as no block changes the state
        Files.write(stateFile, genuine);
        StateFileEdits.replaceAnchorConsistently(ledger, member);
        Path cometLog = home.resolve("cometbft.log");
        long cometLogSize = Files.size(cometLog);
        net.net.startGateway(VICTIM);
        net.awaitSameAppHash(Duration.ofSeconds(120));
        assertNotEquals(net.query(1, "/status", "").path("state_digest").asText(),
                net.query(VICTIM, "/status", "").path("state_digest").asText(), "its state differs, its app hash not yet");

        // the next operation, through another gateway: the other three commit it and go on agreeing
        int joined = join(2);
        Set<Integer> expected = net.members(1);
        assertTrue(expected.contains(joined));
        RunningTestnet.await("gateway " + VICTIM + "'s CometBFT to report a wrong app hash", Duration.ofSeconds(90),
                () -> logSince(cometLog, cometLogSize).contains("wrong Block.Header.AppHash"));
        // CometBFT halts its consensus but runs on: the gateway says so in its own log and its status
        RunningTestnet.await("gateway " + VICTIM + " to report its halted consensus", Duration.ofSeconds(30),
                () -> logSince(home.resolve("gateway.log"), gatewayLogSize).contains(
                        "halted its consensus on a wrong app hash: this validator's ledger state is not the consortium's"));
        assertTrue(net.net.status(VICTIM).path("cometbft").path("consensus_halted").asText().startsWith("wrong app hash"),
                net.net.status(VICTIM).toString());
        long stuck = victimHeight();
        net.awaitHeight(stuck + 4, Duration.ofSeconds(60));
        String agreed = net.awaitSameAppHash(List.of(1, 2, 3), Duration.ofSeconds(60));
        assertEquals(expected, net.members(2));
        assertEquals(expected, net.members(3));
        // gateway 4 does not carry on: stuck at the height where its app hash went its own way
        long now = victimHeight();
        assertTrue(now <= stuck, "gateway " + VICTIM + " went on from " + stuck + " to " + now);
        assertTrue(Long.parseLong(agreed.substring(0, agreed.indexOf('/'))) > now + 2,
                "the others went on without it: " + agreed + ", gateway " + VICTIM + " at " + now);
        System.out.println("corrupted validator: " + lastLineWith(logSince(cometLog, cometLogSize),
                "wrong Block.Header.AppHash"));
    }

    /** A join through {@code gateway}, committed; its node id. */
    private int join(int gateway) throws Exception {
        SubmitAnswer joined = net.join(gateway).commit();
        assertThat(joined).isCommitted();
        return joined.nodeId();
    }

    /** The victim's committed height, from its gateway's status (its gateway runs while its CometBFT restarts). */
    private long victimHeight() {
        JsonNode s = net.net.status(VICTIM);
        if (s == null) {
            throw new AssertionError("gateway " + VICTIM + " does not answer /status");
        }
        return s.path("height").asLong();
    }

    private static String logSince(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastLineWith(String text, String marker) {
        int at = text.lastIndexOf(marker);
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        String line = text.substring(start, end < 0 ? text.length() : end);
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
