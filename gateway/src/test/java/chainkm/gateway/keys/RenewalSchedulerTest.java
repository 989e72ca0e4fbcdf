package chainkm.gateway.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.SubmitStatus;
import chainkm.protocol.ledger.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One RENEW per gateway and round, never a second while one is in flight or not yet applied. */
class RenewalSchedulerTest {
    private final List<Integer> submitted = new ArrayList<>();
    private final Map<Integer, Long> applied = new HashMap<>();
    private CompletableFuture<SubmitResult> landed;
    /** Every set of 1..3 is due, oldest first, until applied. */
    private final RenewalScheduler scheduler = new RenewalScheduler(
            height -> List.of(1, 2, 3).stream().filter(s -> !applied.containsKey(s)).findFirst(),
            set -> applied.getOrDefault(set, -1L),
            set -> {
                submitted.add(set);
                landed = new CompletableFuture<>();
                return landed;
            });

    private static SubmitResult result(int set, SubmitStatus status, int code, long height) {
        return new SubmitResult(Operation.RENEW, 0, set, status, code, "", height, "", 1, 0, null);
    }

    @Test
    void oneSetPerRoundAndTheNextOnlyOnceTheLastIsApplied() {
        assertEquals(1, scheduler.round(100), "three sets are due: the oldest only");
        assertEquals(-1, scheduler.round(101), "in flight");
        landed.complete(result(1, SubmitStatus.COMMITTED, 0, 102));
        assertEquals(-1, scheduler.round(102), "committed but not yet applied by the key manager");
        applied.put(1, 102L);
        assertEquals(2, scheduler.round(103));
        assertEquals(List.of(1, 2), submitted);
    }

    @Test
    void aRefusedRenewalIsTriedAgainAfterABackOff() {
        assertEquals(1, scheduler.round(100));
        landed.complete(result(1, SubmitStatus.REFUSED, 29, 0));
        assertEquals(-1, scheduler.round(101));
        assertEquals(-1, scheduler.round(100 + RenewalScheduler.BACKOFF_BLOCKS));
        assertEquals(1, scheduler.round(101 + RenewalScheduler.BACKOFF_BLOCKS));
    }

    @Test
    void nothingDueNothingSubmitted() {
        RenewalScheduler idle = new RenewalScheduler(h -> Optional.empty(), s -> -1, s -> {
            throw new AssertionError("submitted");
        });
        assertEquals(-1, idle.round(5));
        idle.close();
    }
}
