package chainkm.gateway.submit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.LedgerState;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.StateStore;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestInitChain;

class SubmitterTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RESUBMIT_AFTER = Duration.ofMillis(300);

    private final Ed25519.KeyPair gw1 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair gw2 = Ed25519.KeyPair.generate(RANDOM);
    private final List<Submitter> started = new ArrayList<>();
    @TempDir
    Path dir;
    private LedgerApp app;
    private OneValidatorComet comet;

    @BeforeEach
    void startChain() throws Exception {
        app = newApp();
        comet = new OneValidatorComet(app);
    }

    @AfterEach
    void stopSubmitters() {
        started.forEach(Submitter::close);
    }

    // --- helpers -------------------------------------------------------------------------

    /** A ledger app over the test's state directory; InitChain only when nothing was committed yet. */
    private LedgerApp newApp() throws Exception {
        LedgerApp a = new LedgerApp(new StateStore(dir.resolve("ledger")));
        if (a.readCommitted(LedgerState::height) == 0) {
            String appState = "{\"gateways\":[{\"id\":1,\"public_key\":\"" + Base64.getEncoder().encodeToString(gw1.publicKey())
                    + "\"},{\"id\":2,\"public_key\":\"" + Base64.getEncoder().encodeToString(gw2.publicKey()) + "\"}]}";
            a.initChain(RequestInitChain.newBuilder().setChainId("test")
                    .setAppStateBytes(ByteString.copyFromUtf8(appState)).build());
        }
        return a;
    }

    private Submitter submitter(LedgerApp a, TxBroadcaster b, int gatewayId, PendingJournal journal) {
        Submitter s = new Submitter(a, b, gatewayId == 1 ? gw1 : gw2, gatewayId, RESUBMIT_AFTER, journal);
        started.add(s);
        return s;
    }

    private Submitter submitter(int gatewayId) {
        return submitter(app, comet, gatewayId, null);
    }

    private static SubmitResult landed(Submitter.Submission s) throws Exception {
        return s.landed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static NodeRecord member(LedgerApp a, int nodeId) {
        return a.readCommitted(s -> s.member(nodeId)).orElseThrow(() -> new AssertionError("node " + nodeId + " is no member"));
    }

    private static int members(LedgerApp a) {
        return a.readCommitted(s -> s.members().size());
    }

    /** Exactly one place for the node: one member record and one slot in the set layout. */
    private static void assertMemberOnce(LedgerApp a, int nodeId, int setId) {
        assertEquals(setId, member(a, nodeId).setId(), "member record of node " + nodeId);
        int slots = a.readCommitted(s -> (int) s.layout().setIds().stream()
                .filter(id -> s.layout().members(id).contains(nodeId)).count());
        assertEquals(1, slots, "sets holding node " + nodeId);
        assertEquals(setId, (int) a.readCommitted(s -> s.layout().setOf(nodeId).getAsInt()));
    }

    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    /** {@code n} devices, enrolled (by gateway 1) in one block of their own, outside the submitters. */
    private List<EnrolledDevice> enrolled(int n) {
        return EnrolledDevice.enroll(comet, n, 1, gw1);
    }

    private EnrolledDevice enrolled() {
        return enrolled(1).get(0);
    }

    /** Bytes of a join for the journal's tests (whether the ledger would take it does not matter there). */
    private byte[] signedJoin(int nodeId) {
        byte[] refresh = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        RANDOM.nextBytes(refresh);
        return LedgerTx.sign(new ChangeRecord(Operation.JOIN, nodeId, 1, SecretCode.commitment(SecretCode.generate(RANDOM)),
                refresh), 2, null, gw2).encode();
    }

    // --- commit and sync mode ------------------------------------------------------------

    @Test
    void commitModeJoinIsCommittedInTheSetAssignmentGives() throws Exception {
        Submitter sub = submitter(1);
        List<EnrolledDevice> devices = enrolled(5);
        for (int i = 0; i < 5; i++) {
            int expectedSet = app.readCheckState(s -> Assignment.selectSet(s.layout(), 1));
            Submitter.Submission s = sub.submit(devices.get(i).join(), SubmitMode.COMMIT);
            SubmitResult r = s.first();
            assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
            assertEquals(0, r.code());
            assertEquals(i + 2, r.height(), "a block per join, after the enrollments' block");
            assertEquals(1, r.attempts());
            assertEquals(expectedSet, r.setId());
            assertMemberOnce(app, r.nodeId(), expectedSet);
            assertArrayEquals(SecretCode.commitment(devices.get(i).secretCode()), member(app, r.nodeId()).secretCodeHash());
            assertEquals(devices.get(i).name(), member(app, r.nodeId()).identity());
            assertEquals(r, landed(s));
        }
        assertEquals(5, members(app));
    }

    @Test
    void syncModeJoinIsAcceptedFirstAndLandsAfterTheBlock() throws Exception {
        Submitter sub = submitter(1);
        Submitter.Submission s = sub.submit(enrolled().join(), SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());
        assertEquals(0, s.first().height());
        assertFalse(s.landed().isDone(), "nothing is committed before a block");
        assertEquals(1, comet.mempool().size());

        long height = comet.makeBlock();
        SubmitResult r = landed(s);
        assertEquals(SubmitStatus.COMMITTED, r.status());
        assertEquals(height, r.height());
        assertEquals(s.first().nodeId(), r.nodeId());
        assertEquals(s.first().txHash(), r.txHash());
        assertMemberOnce(app, r.nodeId(), r.setId());
    }

    @Test
    void syncModeLeaveLandsAndReorderKeepsTheLayoutConsistent() throws Exception {
        Submitter sub = submitter(1);
        List<Integer> nodes = new ArrayList<>();
        List<EnrolledDevice> devices = enrolled(4);
        for (int i = 0; i < 4; i++) {
            nodes.add(sub.submit(devices.get(i).join(), SubmitMode.COMMIT).first().nodeId());
        }
        Submitter.Submission leave = sub.submit(devices.get(0).leave(nodes.get(0)), SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, leave.first().status(), leave.first().toString());
        comet.makeBlock();
        assertEquals(SubmitStatus.COMMITTED, landed(leave).status());
        assertEquals(3, members(app));
        assertTrue(app.readCommitted(s -> s.member(nodes.get(0))).isEmpty());
    }

    // --- set conflicts -------------------------------------------------------------------

    @Test
    void aJoinRefusedWithWrongSetInTheBlockIsRebuiltAndLands() throws Exception {
        Submitter sub1 = submitter(1);
        Submitter sub2 = submitter(2);
        List<EnrolledDevice> devices = enrolled(2);
        Submitter.Submission a = sub1.submit(devices.get(0).join(), SubmitMode.SYNC);
        Submitter.Submission b = sub2.submit(devices.get(1).join(), SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, a.first().status());
        assertEquals(SubmitStatus.ACCEPTED, b.first().status());
        List<byte[]> txs = comet.mempool();
        assertEquals(2, txs.size());

        // the proposer orders gateway 2's join first: its set was computed after gateway 1's join
        comet.block(List.of(txs.get(1), txs.get(0)));
        assertEquals(TxCode.WRONG_SET.code(), comet.result(txs.get(1)).code());
        assertEquals(0, comet.result(txs.get(0)).code());
        SubmitResult ra = landed(a);
        assertEquals(SubmitStatus.COMMITTED, ra.status());
        assertEquals(1, ra.attempts());

        byte[] retry = comet.awaitMempool(1, WAIT).get(0);
        assertNotEquals(OneValidatorComet.hash(txs.get(1)), OneValidatorComet.hash(retry));
        comet.makeBlock();
        SubmitResult rb = landed(b);
        assertEquals(SubmitStatus.COMMITTED, rb.status(), rb.toString());
        assertEquals(2, rb.attempts());
        assertEquals(b.first().nodeId(), rb.nodeId(), "every attempt carries the same node id");
        assertEquals(OneValidatorComet.hash(retry), rb.txHash());
        assertMemberOnce(app, ra.nodeId(), ra.setId());
        assertMemberOnce(app, rb.nodeId(), rb.setId());
        assertEquals(2, members(app));
    }

    @Test
    void aLostRetryIsResentAsItIsNotMistakenForTheRefusedAttempt() throws Exception {
        Submitter sub1 = submitter(1);
        Submitter sub2 = submitter(2);
        List<EnrolledDevice> devices = enrolled(2);
        sub1.submit(devices.get(0).join(), SubmitMode.SYNC);
        Submitter.Submission b = sub2.submit(devices.get(1).join(), SubmitMode.SYNC);
        List<byte[]> txs = comet.mempool();
        comet.dropNext(); // the rebuilt attempt will be acknowledged, then lost
        comet.block(List.of(txs.get(1), txs.get(0)));
        eventually("the retry was sent (and lost)", () -> comet.totalBroadcasts() == 3);
        assertTrue(comet.mempool().isEmpty());
        comet.makeBlock(); // empty: the mempool state forgets the lost retry

        // the watchdog finds no result for the retry's hash (the refusal belongs to attempt 1) and resends it
        byte[] resent = comet.awaitMempool(1, WAIT).get(0);
        assertEquals(2, comet.broadcastsOf(OneValidatorComet.hash(resent)));
        comet.makeBlock();
        SubmitResult r = landed(b);
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(2, r.attempts(), "resent, not rebuilt again");
        assertEquals(OneValidatorComet.hash(resent), r.txHash());
    }

    @Test
    void twoGatewaysJoiningConcurrentlyInCommitModeAllLand() throws Exception {
        Submitter sub1 = submitter(1);
        Submitter sub2 = submitter(2);
        List<EnrolledDevice> devices = enrolled(24);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SubmitResult>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                Submitter sub = i % 2 == 0 ? sub1 : sub2;
                EnrolledDevice d = devices.get(i);
                Callable<SubmitResult> join = () -> sub.submit(d.join(), SubmitMode.COMMIT).first();
                results.add(pool.submit(join));
            }
            for (Future<SubmitResult> f : results) {
                SubmitResult r = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
                assertMemberOnce(app, r.nodeId(), r.setId());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(24, members(app));
    }

    // --- refusals ------------------------------------------------------------------------

    @Test
    void leaveOfANonMemberIsRefusedForGoodInBothModes() throws Exception {
        Submitter sub = submitter(1);
        for (SubmitMode mode : SubmitMode.values()) {
            Submitter.Submission s = sub.submit(Submitter.Request.leave(4242,
                    DeviceAuthorization.forLeave("dev-x", 4242, Ed25519.KeyPair.generate(RANDOM))), mode);
            assertEquals(SubmitStatus.REFUSED, s.first().status(), mode.name());
            assertEquals(TxCode.NOT_A_MEMBER.code(), s.first().code());
            assertEquals(1, s.first().attempts());
            SubmitResult r = landed(s);
            assertEquals(SubmitStatus.REFUSED, r.status());
            assertEquals(TxCode.NOT_A_MEMBER.code(), r.code());
        }
        assertTrue(comet.mempool().isEmpty());
    }

    @Test
    void joinWithACommitmentItsIdentityUsedBeforeIsRefusedForGood() throws Exception {
        Submitter sub = submitter(1);
        EnrolledDevice d = enrolled();
        SubmitResult first = sub.submit(d.join(), SubmitMode.COMMIT).first();
        assertTrue(sub.submit(d.leave(first.nodeId()), SubmitMode.COMMIT).first().committed());
        // enrolled again after its revocation (a new key), the identity may join again, not with the same commitment
        Ed25519.KeyPair newKey = Ed25519.KeyPair.generate(RANDOM);
        assertTrue(sub.submit(Submitter.Request.enroll(new DeviceEnrollment(d.name(), newKey.publicKey())),
                SubmitMode.COMMIT).first().committed());
        byte[] usedHash = d.commitment();
        for (SubmitMode mode : SubmitMode.values()) {
            Submitter.Submission s = sub.submit(Submitter.Request.join(0, usedHash,
                    DeviceAuthorization.forJoin(d.name(), usedHash, newKey)), mode);
            assertEquals(SubmitStatus.REFUSED, s.first().status(), mode.name());
            assertEquals(TxCode.SECRET_HASH_REUSED.code(), s.first().code());
            assertTrue(s.first().log().contains("SECRET_HASH_REUSED"), s.first().log());
            SubmitResult r = landed(s);
            assertEquals(SubmitStatus.REFUSED, r.status());
            assertEquals(TxCode.SECRET_HASH_REUSED.code(), r.code());
        }
        assertEquals(0, members(app));
    }

    @Test
    void aSyncLeaveRefusedInTheBlockLandsRefused() throws Exception {
        Submitter sub = submitter(1);
        EnrolledDevice d = enrolled();
        int node = sub.submit(d.join(), SubmitMode.COMMIT).first().nodeId();
        Submitter.Submission leave = sub.submit(d.leave(node), SubmitMode.SYNC);
        byte[] leaveTx = comet.awaitMempool(1, WAIT).get(0);
        // its set owner's evict of the same node gets in first
        NodeRecord m = member(app, node);
        byte[] refresh = new byte[ChangeRecord.REFRESH_KEY_SIZE];
        byte[] evict = LedgerTx.sign(new ChangeRecord(Operation.EVICT, node, m.setId(), m.secretCodeHash(), refresh), 1, null, gw1)
                .encode();
        comet.block(List.of(evict, leaveTx));
        SubmitResult r = landed(leave);
        assertEquals(SubmitStatus.REFUSED, r.status());
        assertEquals(TxCode.NOT_A_MEMBER.code(), r.code());
        assertEquals(0, members(app));
    }

    // --- exactly once --------------------------------------------------------------------

    @Test
    void anOldAttemptCommittedAfterTheRebuildLandsOnceWithItsOwnSet() throws Exception {
        Submitter sub = submitter(1);
        List<EnrolledDevice> devices = enrolled(2);
        Submitter.Submission s = sub.submit(devices.get(0).join(), SubmitMode.SYNC);
        byte[] attempt1 = comet.mempool().get(0);
        int set1 = LedgerTx.decode(attempt1).record().setId();

        // an empty block, then (before the recheck) another gateway's join enters the mempool state:
        // attempt 1's set is no longer what Assignment gives, so the recheck refuses it
        comet.commitBlock(List.of());
        int code = app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(devices.get(1).joinTx(app, 777, 2, gw2)))
                .setType(CheckTxType.NEW).build()).getCode();
        assertEquals(0, code);
        comet.recheck();
        byte[] attempt2 = comet.awaitMempool(1, WAIT).get(0);
        assertNotEquals(OneValidatorComet.hash(attempt1), OneValidatorComet.hash(attempt2));
        assertEquals(s.first().nodeId(), LedgerTx.decode(attempt2).record().nodeId());
        assertNotEquals(set1, LedgerTx.decode(attempt2).record().setId());

        // another validator still had attempt 1 and proposes both
        long height = comet.commitBlock(List.of(attempt1, attempt2));
        assertEquals(0, comet.result(attempt1).code());
        assertEquals(TxCode.NODE_ID_REUSED.code(), comet.result(attempt2).code());

        SubmitResult r = landed(s);
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(height, r.height());
        assertEquals(2, r.attempts());
        assertEquals(1, members(app));
        assertMemberOnce(app, r.nodeId(), set1);
        assertEquals(set1, r.setId(), "the result names the set of the attempt that landed");
        assertEquals(OneValidatorComet.hash(attempt1), r.txHash(), "and its transaction");
    }

    // --- watchdog ------------------------------------------------------------------------

    @Test
    void theWatchdogResendsALostSyncTransaction() throws Exception {
        Submitter sub = submitter(1);
        EnrolledDevice d = enrolled();
        comet.dropNext();
        Submitter.Submission s = sub.submit(d.join(), SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());
        assertTrue(comet.mempool().isEmpty(), "the fake lost it");
        comet.makeBlock(); // an empty block: the transaction is not in it

        byte[] resent = comet.awaitMempool(1, WAIT).get(0);
        assertEquals(s.first().txHash(), OneValidatorComet.hash(resent), "the same transaction, sent again");
        assertEquals(2, comet.broadcastsOf(s.first().txHash()));
        long height = comet.makeBlock();
        SubmitResult r = landed(s);
        assertEquals(SubmitStatus.COMMITTED, r.status());
        assertEquals(height, r.height());
        assertEquals(1, r.attempts());
        assertMemberOnce(app, r.nodeId(), r.setId());
    }

    // --- pending journal -----------------------------------------------------------------

    @Test
    void anAcknowledgedSyncJoinOfAGatewayThatDiedLandsAfterItsRestart() throws Exception {
        Path journalFile = dir.resolve("gw1").resolve("pending.journal");
        EnrolledDevice d = enrolled();
        Submitter before = submitter(app, comet, 1, PendingJournal.open(journalFile));
        Submitter.Submission s = before.submit(d.join(), SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());
        before.close(); // killed before any block; CometBFT restarts too and its mempool is gone

        LedgerApp restartedApp = newApp();
        OneValidatorComet restartedComet = comet.restartedWith(restartedApp);
        Submitter after = submitter(restartedApp, restartedComet, 1, PendingJournal.open(journalFile));
        assertEquals(1, after.recover());

        byte[] resent = restartedComet.awaitMempool(1, WAIT).get(0);
        assertEquals(s.first().txHash(), OneValidatorComet.hash(resent));
        restartedComet.makeBlock();
        assertMemberOnce(restartedApp, s.first().nodeId(), s.first().setId());
        eventually("the journal records the landing",
                () -> readJournal(journalFile).contains("D " + s.first().nodeId() + "\n"));
        after.close();
        try (PendingJournal reopened = PendingJournal.open(journalFile)) {
            assertTrue(reopened.recovered().isEmpty());
        }
    }

    @Test
    void anAcknowledgedSyncJoinCommittedWhileTheGatewayWasDownIsFoundNotResent() throws Exception {
        Path journalFile = dir.resolve("gw1").resolve("pending.journal");
        EnrolledDevice d = enrolled();
        Submitter before = submitter(app, comet, 1, PendingJournal.open(journalFile));
        Submitter.Submission s = before.submit(d.join(), SubmitMode.SYNC);
        before.close();
        comet.makeBlock(); // the network committed it meanwhile

        LedgerApp restartedApp = newApp();
        OneValidatorComet restartedComet = comet.restartedWith(restartedApp);
        Submitter after = submitter(restartedApp, restartedComet, 1, PendingJournal.open(journalFile));
        assertEquals(1, after.recover());
        eventually("the journal records the landing",
                () -> readJournal(journalFile).contains("D " + s.first().nodeId() + "\n"));
        assertEquals(0, restartedComet.broadcastsOf(s.first().txHash()), "looked up, not resent");
        assertMemberOnce(restartedApp, s.first().nodeId(), s.first().setId());
    }

    private static String readJournal(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    @Test
    void aJournalWithATornLastLineOpens() throws Exception {
        Path file = dir.resolve("torn.journal");
        byte[] tx5 = signedJoin(5);
        byte[] tx6 = signedJoin(6);
        String hex6 = Hex.encode(tx6);
        Files.writeString(file, "P 5 " + Hex.encode(tx5) + "\nP 6 " + hex6.substring(0, 41), StandardCharsets.US_ASCII);
        try (PendingJournal j = PendingJournal.open(file)) {
            assertEquals(List.of("5"), j.pendingNodesAtOpen());
            assertArrayEquals(tx5, j.recovered().get("5"));
            j.pending(7, tx6);
        }
        try (PendingJournal j = PendingJournal.open(file)) {
            assertEquals(List.of("5", "7"), j.pendingNodesAtOpen(), "appending after the torn line still works");
        }
    }

    @Test
    void aTornNewerAttemptDoesNotHideTheCompleteOlderOne() throws Exception {
        Path file = dir.resolve("torn2.journal");
        byte[] attempt1 = signedJoin(5);
        byte[] attempt2 = signedJoin(5);
        String hex2 = Hex.encode(attempt2);
        // the crash cut the second line after an even number of hex digits: it still parses as hex
        Files.writeString(file, "P 5 " + Hex.encode(attempt1) + "\nP 5 " + hex2.substring(0, hex2.length() / 2),
                StandardCharsets.US_ASCII);
        try (PendingJournal j = PendingJournal.open(file)) {
            assertArrayEquals(attempt1, j.recovered().get("5"), "the last complete line wins");
        }
    }

    @Test
    void doneEntriesAreCompactedAwayOnReopen() throws Exception {
        Path file = dir.resolve("j").resolve("pending.journal");
        byte[] tx5 = signedJoin(5);
        byte[] tx6 = signedJoin(6);
        byte[] tx6b = signedJoin(6);
        try (PendingJournal j = PendingJournal.open(file)) {
            assertTrue(j.recovered().isEmpty());
            j.pending(5, tx5);
            j.pending(6, tx6);
            j.pending(6, tx6b);
            j.done(5);
        }
        try (PendingJournal j = PendingJournal.open(file)) {
            assertEquals(List.of("6"), j.pendingNodesAtOpen());
            assertArrayEquals(tx6b, j.recovered().get("6"), "the latest attempt");
            assertEquals("P 6 " + Hex.encode(tx6b) + "\n", Files.readString(file, StandardCharsets.US_ASCII));
            j.done(6);
        }
        try (PendingJournal j = PendingJournal.open(file)) {
            assertTrue(j.recovered().isEmpty());
            assertEquals("", Files.readString(file, StandardCharsets.US_ASCII));
        }
    }
}
