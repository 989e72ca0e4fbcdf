package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.ledger.RejoinChain;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RejoinLinksTest {
    @TempDir
    Path state;

    @Test
    void aRetryToTheSameGatewayResendsItsLinkAnotherGatewayGetsAFreshOne() throws Exception {
        RejoinLinks links = new RejoinLinks(state);
        byte[] seed = RejoinSeed.loadOrCreate(state);
        byte[] first = links.forGateway(2);
        assertArrayEquals(RejoinChain.proof(seed, 1), first);
        assertArrayEquals(first, links.forGateway(2), "no answer from gateway 2: the same link again");
        assertEquals(1, RejoinLinks.used(state));
        byte[] other = links.forGateway(3);
        assertFalse(Arrays.equals(first, other), "gateway 3 never sees gateway 2's link");
        assertArrayEquals(RejoinChain.proof(seed, 2), other);
        links.settled(); // gateway 3 answered (or refused)
        assertArrayEquals(RejoinChain.proof(seed, 3), links.forGateway(3), "a settled link is never sent again");
        assertEquals(3, RejoinLinks.used(state), "each index is on disk before its link is handed out");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(RejoinLinks.FILE))));
    }

    @Test
    void aCrashCostsTheLinkThatWasPendingAndAUsedUpChainAsksForAReanchor() throws Exception {
        new RejoinLinks(state).forGateway(2);
        RejoinLinks afterCrash = new RejoinLinks(state);
        assertArrayEquals(RejoinChain.proof(RejoinSeed.loadOrCreate(state), 2), afterCrash.forGateway(2));
        Files.write(state.resolve(RejoinLinks.FILE), ByteBuffer.allocate(4).putInt(RejoinChain.LENGTH - 1).array());
        RejoinLinks exhausted = new RejoinLinks(state);
        assertThrows(RejoinLinks.ChainUsedUpException.class, () -> exhausted.forGateway(1));
        exhausted.restart();
        assertEquals(0, RejoinLinks.used(state));
    }

    /** Found by StateFilesFuzzTest: a short index file threw a BufferUnderflowException out of the rejoin. */
    @Test
    void aDamagedIndexUsesNoLinkOfTheChainAgainButAsksForAReanchor() throws Exception {
        RejoinLinks links = new RejoinLinks(state);
        links.forGateway(2);
        for (byte[] damaged : new byte[][] {{}, {0, 0, 1}, {0, 0, 0, 1, 0}, ByteBuffer.allocate(4).putInt(-5).array(),
                ByteBuffer.allocate(4).putInt(RejoinChain.LENGTH).array()}) {
            Files.write(state.resolve(RejoinLinks.FILE), damaged);
            RejoinLinks afterDamage = new RejoinLinks(state);
            RejoinLinks.ChainUsedUpException e = assertThrows(RejoinLinks.ChainUsedUpException.class,
                    () -> afterDamage.forGateway(3));
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        }
        new RejoinLinks(state).restart(); // what the re-anchor does
        assertArrayEquals(RejoinChain.proof(RejoinSeed.loadOrCreate(state), 1), new RejoinLinks(state).forGateway(3));
    }

    @Test
    void aReanchorsNextSeedBecomesTheChainOnlyWhenPromoted() throws Exception {
        byte[] seed = RejoinSeed.loadOrCreate(state);
        byte[] next = RejoinSeed.loadOrCreateNext(state);
        assertArrayEquals(next, RejoinSeed.loadOrCreateNext(state), "a retried re-anchor sends the same anchor");
        assertArrayEquals(seed, RejoinSeed.loadOrCreate(state));
        RejoinSeed.promoteNext(state);
        assertArrayEquals(next, RejoinSeed.loadOrCreate(state));
        assertFalse(Files.exists(state.resolve(RejoinSeed.NEXT_FILE)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(RejoinSeed.FILE))));
    }
}
