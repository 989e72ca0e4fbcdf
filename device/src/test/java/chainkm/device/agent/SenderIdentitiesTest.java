package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SenderIdentitiesTest {
    private final TestClock clock = new TestClock();
    private final AtomicInteger asked = new AtomicInteger();
    private volatile boolean gatewayDown;

    private SenderIdentities identities() {
        return new SenderIdentities(node -> {
            asked.incrementAndGet();
            if (gatewayDown) {
                throw new IOException("no response");
            }
            return node == 7 ? Optional.of(new byte[32]) : Optional.empty();
        }, clock);
    }

    @Test
    void aKnownNodeIsAskedOncePerTtl() {
        SenderIdentities ids = identities();
        assertArrayEquals(new byte[32], ids.lookup(7).key());
        assertTrue(ids.lookup(7).known());
        assertEquals(1, asked.get());
        clock.advance(SenderIdentities.KNOWN_TTL.toMillis());
        assertTrue(ids.lookup(7).known());
        assertEquals(2, asked.get(), "asked again once the entry expired");
    }

    @Test
    void anUnreachableGatewayPausesEveryLookUp() {
        SenderIdentities ids = identities();
        gatewayDown = true;
        assertFalse(ids.lookup(7).known());
        for (int node = 100; node < 200; node++) {
            assertFalse(ids.lookup(node).known());
        }
        assertEquals(1, asked.get(), "one failed look-up, then none while paused");
        gatewayDown = false;
        clock.advance(SenderIdentities.FAILED_TTL.toMillis());
        assertTrue(ids.lookup(7).known());
    }
}
