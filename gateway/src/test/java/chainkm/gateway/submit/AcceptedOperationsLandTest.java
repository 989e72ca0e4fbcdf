package chainkm.gateway.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.LedgerState;
import chainkm.gateway.ledger.StateStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.sets.Assignment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.RequestInitChain;

/**
 * Issue 10's lost operation, at the submitter: an accepted sync-mode join must land even when
 * the watchdog resends one of its attempts while a block's RECHECK makes the gateway rebuild it.
 * CometBFT holds broadcasts while it commits a block and rechecks its mempool; the fake does
 * the same ({@link OneValidatorComet#holdBroadcasts()}), so the resend and the rebuild meet.
 */
class AcceptedOperationsLandTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RESUBMIT_AFTER = Duration.ofMillis(300);
    private static final int GATEWAYS = 4;

    private final List<Ed25519.KeyPair> keys = new ArrayList<>();
    private final List<Submitter> started = new ArrayList<>();
    @TempDir
    Path dir;
    private LedgerApp app;
    private OneValidatorComet comet;

    @BeforeEach
    void startChain() throws Exception {
        ObjectNode appState = JSON.createObjectNode();
        ArrayNode gateways = appState.putArray("gateways");
        for (int id = 1; id <= GATEWAYS; id++) {
            Ed25519.KeyPair k = Ed25519.KeyPair.generate(RANDOM);
            keys.add(k);
            gateways.addObject().put("id", id).put("public_key", Base64.getEncoder().encodeToString(k.publicKey()));
        }
        app = new LedgerApp(new StateStore(dir.resolve("ledger")));
        app.initChain(RequestInitChain.newBuilder().setChainId("test")
                .setAppStateBytes(ByteString.copyFromUtf8(JSON.writeValueAsString(appState))).build());
        comet = new OneValidatorComet(app);
    }

    @AfterEach
    void stop() {
        comet.releaseBroadcasts();
        started.forEach(Submitter::close);
    }

    private Submitter submitter(int gatewayId, Duration resubmitAfter) {
        Submitter s = new Submitter(app, comet, keys.get(gatewayId - 1), gatewayId, resubmitAfter, null);
        started.add(s);
        return s;
    }

    private static SubmitResult landed(Submitter.Submission s) throws Exception {
        return s.landed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private int members() {
        return app.readCommitted(s -> s.members().size());
    }

    private void assertMember(SubmitResult r) {
        assertEquals(r.setId(), (int) app.readCommitted(s -> s.member(r.nodeId()).orElseThrow().setId()),
                "node " + r.nodeId() + " is a member, in the set its result names");
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A device's join through {@code gatewayId} built on the committed state, as another validator's proposal would hold it. */
    private byte[] joinOnTheCommittedState(EnrolledDevice d, int gatewayId, int nodeId) {
        int set = app.readCommitted(s -> Assignment.selectSet(s.layout(), gatewayId));
        return d.joinTxInSet(set, nodeId, gatewayId, keys.get(gatewayId - 1));
    }

    @Test
    void aResendOfTheAttemptThatRecheckRefusesDoesNotLoseTheJoin() throws Exception {
        List<EnrolledDevice> devices = EnrolledDevice.enroll(comet, 2, 1, keys.get(0));
        Submitter sub = submitter(1, RESUBMIT_AFTER);
        Submitter.Submission s = sub.submit(devices.get(0).join(), SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());

        // CometBFT starts a block: broadcasts wait. The watchdog's resend of attempt 1 (not committed after
        // resubmit_after) waits there; then the block, with gateway 2's join taking the set attempt 1 named,
        // is committed and RECHECK refuses attempt 1 (WRONG_SET), so the gateway rebuilds it
        comet.holdBroadcasts();
        assertTrue(comet.awaitHeldBroadcasts(1, WAIT), "the watchdog resends attempt 1");
        comet.block(List.of(joinOnTheCommittedState(devices.get(1), 2, 777)));
        comet.awaitHeldBroadcasts(2, RESUBMIT_AFTER); // the rebuilt attempt, unless it waits for the resend to end
        comet.releaseBroadcasts();

        // let the gateway settle what the resend and the rebuild answered (its next broadcast is at least the
        // watchdog resending the rebuilt attempt) before the next block
        comet.awaitMempool(1, WAIT);
        eventually("a fourth broadcast", () -> comet.totalBroadcasts() >= 4);
        long height = comet.makeBlock();
        SubmitResult r = landed(s);
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(height, r.height());
        assertEquals(s.first().nodeId(), r.nodeId(), "every attempt carries the same node id");
        assertMember(r);
        assertEquals(2, members());
    }

    @Test
    void concurrentSyncJoinsAtFourGatewaysWithForcedRebuildsAllLand() throws Exception {
        Duration resubmitAfter = Duration.ofMillis(100);
        // synthetic devices: each join goes right after its identity's enrollment, and reversed blocks
        // often put the join first (refused UNKNOWN_IDENTITY: it waits for the enrollment, then goes again)
        List<SyntheticDevices> subs = new ArrayList<>();
        for (int g = 1; g <= GATEWAYS; g++) {
            subs.add(new SyntheticDevices(submitter(g, resubmitAfter)));
        }
        List<Submitter.Submission> accepted = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(GATEWAYS * 2);
        try {
            for (int c = 0; c < GATEWAYS * 2; c++) {
                SyntheticDevices sub = subs.get(c % GATEWAYS);
                clients.execute(() -> {
                    while (loading.get()) {
                        try {
                            Submitter.Submission s = sub.join(SubmitMode.SYNC);
                            if (s.first().status() == SubmitStatus.ACCEPTED) {
                                accepted.add(s);
                            }
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
            }
            // the proposer: each block takes the mempool in reverse order, so joins built on each other
            // meet a layout they were not built on (WRONG_SET in the block, or on RECHECK), and holds
            // broadcasts while it commits and rechecks, as CometBFT does
            long loadUntil = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            long deadline = loadUntil + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (System.nanoTime() > loadUntil) {
                    loading.set(false);
                    boolean allLanded;
                    // a client still in its last join adds to the list: a stream over a synchronized list
                    // is not synchronized (ConcurrentModificationException), so hold its lock
                    synchronized (accepted) {
                        allLanded = accepted.stream().allMatch(s -> s.landed().isDone());
                    }
                    if (allLanded) {
                        break;
                    }
                }
                Thread.sleep(40);
                comet.holdBroadcasts();
                List<byte[]> txs = new ArrayList<>(comet.mempool());
                Collections.reverse(txs);
                comet.block(txs);
                Thread.sleep(20);
                comet.releaseBroadcasts();
            }
        } finally {
            loading.set(false);
            comet.releaseBroadcasts();
            clients.shutdownNow();
        }

        List<SubmitResult> results = new ArrayList<>();
        for (Submitter.Submission s : List.copyOf(accepted)) {
            results.add(landed(s));
        }
        List<SubmitResult> lost = results.stream().filter(r -> !r.committed()).toList();
        long rebuilt = results.stream().filter(r -> r.attempts() > 1).count();
        assertTrue(rebuilt > 0, "no join needed a second attempt: the test forced no rebuild");
        assertTrue(lost.isEmpty(), lost.size() + " of " + results.size() + " accepted joins did not land, e.g. "
                + lost.subList(0, Math.min(3, lost.size())));
        for (SubmitResult r : results) {
            assertMember(r);
        }
        assertEquals(results.size() + 0L, (long) members(), "each accepted join applied exactly once");
        assertEquals(results.size(), results.stream().map(SubmitResult::nodeId).distinct().count());
        System.out.printf("%d accepted sync joins at %d gateways, %d rebuilt, all landed at height %d%n", results.size(),
                GATEWAYS, rebuilt, app.readCommitted(LedgerState::height));
    }
}
