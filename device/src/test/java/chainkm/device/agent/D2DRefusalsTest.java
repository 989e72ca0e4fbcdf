package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class D2DRefusalsTest {
    private final Logger log = (Logger) LoggerFactory.getLogger("d2d-refusals-test");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final TestClock clock = new TestClock();

    @BeforeEach
    void capture() {
        lines.start();
        log.addAppender(lines);
    }

    @AfterEach
    void release() {
        log.detachAppender(lines);
    }

    @Test
    void oneLinePerSenderAndKindPerPeriodThenTheCount() {
        D2DRefusals r = new D2DRefusals(log, clock);
        assertTrue(r.refused("node 7", D2DRefusals.Kind.REPLAYED, "replayed"));
        for (int i = 0; i < 500; i++) {
            assertFalse(r.refused("node 7", D2DRefusals.Kind.REPLAYED, "replayed"));
        }
        assertTrue(r.refused("node 8", D2DRefusals.Kind.REPLAYED, "replayed"), "another sender has its own line");
        assertTrue(r.refused("node 7", D2DRefusals.Kind.BAD_SIGNATURE, "bad"), "another kind has its own line");
        assertEquals(3, lines.list.size());
        clock.advance(D2DRefusals.PERIOD_MILLIS);
        assertTrue(r.refused("node 7", D2DRefusals.Kind.REPLAYED, "replayed"));
        assertTrue(lines.list.get(3).getFormattedMessage().contains("500 more REPLAYED"),
                lines.list.get(3).getFormattedMessage());
    }

    @Test
    void aSenderThatWentQuietHasItsCountToldAtTheNextPeriod() {
        D2DRefusals r = new D2DRefusals(log, clock);
        r.refused("node 7", D2DRefusals.Kind.BAD_TAG, "bad tag");
        r.refused("node 7", D2DRefusals.Kind.BAD_TAG, "bad tag");
        r.refused("node 7", D2DRefusals.Kind.BAD_TAG, "bad tag");
        clock.advance(D2DRefusals.PERIOD_MILLIS);
        r.refused("node 9", D2DRefusals.Kind.REPLAYED, "replayed");
        assertTrue(lines.list.stream().anyMatch(e -> e.getFormattedMessage().contains("2 more BAD_TAG refusals from node 7")),
                lines.list.toString());
    }

    @Test
    void forgedSenderIdsCannotFloodTheLog() {
        D2DRefusals r = new D2DRefusals(log, clock);
        for (int node = 0; node < 100_000; node++) {
            r.refused("node " + node, D2DRefusals.Kind.UNKNOWN_SENDER, "unknown");
        }
        assertEquals(D2DRefusals.MAX_LINES, lines.list.size());
        assertEquals(100_000 - D2DRefusals.MAX_LINES, r.notLogged());
    }
}
