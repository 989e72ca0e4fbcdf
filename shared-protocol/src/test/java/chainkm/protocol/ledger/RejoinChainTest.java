package chainkm.protocol.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Sha256;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class RejoinChainTest {
    private final byte[] seed = RejoinChain.newSeed(new SecureRandom());

    @Test
    void eachLinkVerifiesAgainstTheAnchorBeforeIt() {
        byte[] anchor = RejoinChain.anchor(seed);
        for (int k = 1; k <= 5; k++) {
            byte[] link = RejoinChain.proof(seed, k);
            assertTrue(RejoinChain.verifies(link, anchor), "link " + k);
            assertArrayEquals(anchor, Sha256.hash(link));
            anchor = link;
        }
    }

    @Test
    void lostLinksMayBeSkippedButOnlyAFew() {
        byte[] anchor = RejoinChain.anchor(seed);
        // a device that lost the answer of 8 gateways in each of 8 rounds still gets back in
        assertTrue(RejoinChain.MAX_SKIP >= 64, "window " + RejoinChain.MAX_SKIP);
        assertTrue(RejoinChain.verifies(RejoinChain.proof(seed, 64), anchor));
        assertTrue(RejoinChain.verifies(RejoinChain.proof(seed, RejoinChain.MAX_SKIP), anchor));
        assertFalse(RejoinChain.verifies(RejoinChain.proof(seed, RejoinChain.MAX_SKIP + 1), anchor));
    }

    @Test
    void spentAndLedgerDerivedLinksAreRecognisedAndRefused() {
        byte[] link1 = RejoinChain.proof(seed, 1);
        byte[] anchor = link1; // after the first rejoin
        assertFalse(RejoinChain.verifies(link1, anchor), "the same link twice");
        assertTrue(RejoinChain.isSpent(link1, anchor, 64));
        byte[] fromLedger = Sha256.hash(anchor);
        assertFalse(RejoinChain.verifies(fromLedger, anchor));
        assertTrue(RejoinChain.isSpent(fromLedger, anchor, 64));
        byte[] next = RejoinChain.proof(seed, 2);
        assertFalse(RejoinChain.isSpent(next, anchor, 64), "a fresh link is not spent");
        assertFalse(RejoinChain.verifies(new byte[31], anchor));
        assertFalse(RejoinChain.verifies(null, anchor));
    }

    @Test
    void theChainEnds() {
        assertThrows(IllegalStateException.class, () -> RejoinChain.proof(seed, RejoinChain.LENGTH));
        assertThrows(IllegalStateException.class, () -> RejoinChain.proof(seed, 0));
    }
}
