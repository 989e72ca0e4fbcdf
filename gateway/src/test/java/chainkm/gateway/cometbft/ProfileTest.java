package chainkm.gateway.cometbft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProfileTest {

    @Test
    void parsesNamesIgnoringCase() {
        assertEquals(Profile.PAPER, Profile.parse("paper"));
        assertEquals(Profile.FAST, Profile.parse(" FAST "));
        assertEquals(Profile.FAST, Profile.parse("Fast"));
    }

    @Test
    void refusesUnknownNamesNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Profile.parse("turbo"));
        assertTrue(e.getMessage().contains("'paper'") && e.getMessage().contains("'fast'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Profile.parse(null));
    }

    @Test
    void paperIsCometBftDefaults() {
        assertEquals(Duration.ofSeconds(1), Profile.PAPER.timeoutCommit());
        assertEquals(Duration.ofSeconds(3), Profile.PAPER.timeoutPropose());
        assertTrue(Profile.PAPER.createEmptyBlocks());
        assertEquals(Duration.ZERO, Profile.PAPER.createEmptyBlocksInterval());
        assertFalse(Profile.PAPER.skipTimeoutCommit());
    }

    @Test
    void fastIsTunedForLoopback() {
        assertEquals(Duration.ofMillis(400), Profile.FAST.timeoutPropose());
        assertEquals(Duration.ofMillis(100), Profile.FAST.timeoutPrevote());
        assertEquals(Duration.ofMillis(100), Profile.FAST.timeoutPrecommit());
        assertEquals(Duration.ofMillis(10), Profile.FAST.timeoutCommit());
        assertEquals(Duration.ofMillis(1), Profile.FAST.peerGossipSleepDuration());
        assertEquals(Duration.ofMillis(1), Profile.FAST.flushThrottleTimeout());
        assertEquals(Duration.ofSeconds(1), Profile.FAST.createEmptyBlocksInterval());
        assertTrue(Profile.FAST.skipTimeoutCommit());
    }

    @Test
    void writesGoDurations() {
        assertEquals("400ms", Profile.goDuration(Duration.ofMillis(400)));
        assertEquals("1s", Profile.goDuration(Duration.ofSeconds(1)));
        assertEquals("0s", Profile.goDuration(Duration.ZERO));
        assertEquals("1500ms", Profile.goDuration(Duration.ofMillis(1500)));
    }
}
