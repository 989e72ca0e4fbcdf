package chainkm.gateway.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.LedgerState;
import chainkm.gateway.ledger.NodeRecord;
import chainkm.gateway.ledger.StateStore;
import chainkm.gateway.ledger.TxCode;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.RequestInitChain;

/**
 * The control API's synthetic devices: a throwaway identity enrolled (sync) right before its
 * join, both usually in one block; its leave signed by it; a join whose enrollment did not make
 * it (yet) waits for it. And evicts: the owner's alone, any other gateway's with a quorum.
 */
class SyntheticDevicesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RESUBMIT_AFTER = Duration.ofMillis(300);
    private static final int GATEWAYS = 4;

    private final List<Ed25519.KeyPair> keys = new ArrayList<>();
    private final List<Submitter> started = new ArrayList<>();
    @TempDir
    Path dir;
    private LedgerApp app;
    private OneValidatorComet comet;
    private String appState;

    @BeforeEach
    void startChain() throws Exception {
        StringBuilder json = new StringBuilder("{\"gateways\":[");
        for (int g = 1; g <= GATEWAYS; g++) {
            keys.add(Ed25519.KeyPair.generate(RANDOM));
            json.append(g > 1 ? "," : "").append("{\"id\":").append(g).append(",\"public_key\":\"")
                    .append(Base64.getEncoder().encodeToString(keys.get(g - 1).publicKey())).append("\"}");
        }
        appState = json.append("]}").toString();
        app = newApp();
        comet = new OneValidatorComet(app);
    }

    /** A ledger app over the test's state directory; InitChain only when nothing was committed yet (as CometBFT does). */
    private LedgerApp newApp() throws Exception {
        LedgerApp a = new LedgerApp(new StateStore(dir.resolve("ledger")));
        if (a.readCommitted(LedgerState::height) == 0) {
            a.initChain(RequestInitChain.newBuilder().setChainId("t").setAppStateBytes(ByteString.copyFromUtf8(appState))
                    .build());
        }
        return a;
    }

    @AfterEach
    void stop() {
        started.forEach(Submitter::close);
    }

    private Submitter submitter(int gatewayId, LedgerApp a, OneValidatorComet c, PendingJournal journal) {
        Submitter s = new Submitter(a, c, keys.get(gatewayId - 1), gatewayId, RESUBMIT_AFTER, journal);
        started.add(s);
        return s;
    }

    private Submitter submitter(int gatewayId) {
        return submitter(gatewayId, app, comet, null);
    }

    private static SubmitResult landed(Submitter.Submission s) throws Exception {
        return s.landed().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private NodeRecord member(int node) {
        return app.readCommitted(s -> s.member(node)).orElseThrow(() -> new AssertionError("node " + node + " is no member"));
    }

    private DeviceIdentity identityOf(int node) {
        String name = member(node).identity();
        return app.readCommitted(s -> s.identity(name)).orElseThrow();
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

    @Test
    void aSyncJoinEnrollsItsIdentityAndBothLandInOneBlock() throws Exception {
        SyntheticDevices devices = new SyntheticDevices(submitter(1));
        Submitter.Submission s = devices.join(SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());
        assertEquals(Operation.JOIN, s.first().operation());
        List<byte[]> mempool = comet.mempool();
        assertEquals(List.of(Operation.ENROLL, Operation.JOIN),
                List.of(LedgerTx.decode(mempool.get(0)).record().operation(), LedgerTx.decode(mempool.get(1)).record().operation()));
        long height = comet.makeBlock();
        SubmitResult r = landed(s);
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(height, r.height());
        DeviceIdentity id = identityOf(r.nodeId());
        assertTrue(id.name().matches("synthetic-[0-9a-f]{8}"), id.name());
        assertEquals(DeviceIdentity.State.ENROLLED, id.state());
        assertEquals(1, id.enrolledBy());
        assertTrue(devices.holds(r.nodeId()));
    }

    @Test
    void aCommitJoinLandsWithItsEnrollment() throws Exception {
        SyntheticDevices devices = new SyntheticDevices(submitter(2));
        SubmitResult r = devices.join(SubmitMode.COMMIT).first();
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(1L, (long) app.readCommitted(LedgerState::height), "one block for both");
        assertEquals(2, member(r.nodeId()).gatewayId());
    }

    @Test
    void aJoinWhoseEnrollmentWasLostWaitsForTheResentEnrollmentAndLands() throws Exception {
        SyntheticDevices devices = new SyntheticDevices(submitter(1));
        comet.dropNext(); // the enrollment passes CheckTx, then is lost
        Submitter.Submission s = devices.join(SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());
        byte[] join = comet.mempool().get(0);
        assertEquals(Operation.JOIN, LedgerTx.decode(join).record().operation());
        comet.makeBlock(); // the join alone: refused UNKNOWN_IDENTITY in the block
        assertEquals(TxCode.UNKNOWN_IDENTITY.code(), comet.result(join).code());
        // the watchdog resends the enrollment; once it lands the join is built again
        assertEquals(Operation.ENROLL, LedgerTx.decode(comet.awaitMempool(1, WAIT).get(0)).record().operation());
        comet.makeBlock();
        assertEquals(Operation.JOIN, LedgerTx.decode(comet.awaitMempool(1, WAIT).get(0)).record().operation());
        comet.makeBlock();
        SubmitResult r = landed(s);
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(2, r.attempts());
        assertEquals(s.first().nodeId(), r.nodeId());
        member(r.nodeId());
    }

    @Test
    void aSyntheticMemberLeavesSignedByItsIdentityAndAnyOtherNodeIsRefusedBeforeSubmission() throws Exception {
        Submitter sub = submitter(1);
        SyntheticDevices devices = new SyntheticDevices(sub);
        int node = devices.join(SubmitMode.COMMIT).first().nodeId();
        String name = member(node).identity();
        int heightBefore = (int) (long) app.readCommitted(LedgerState::height);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> devices.leave(4242));
        assertTrue(e.getMessage().contains("POST /leave"), e.getMessage());
        assertEquals(heightBefore, (int) (long) app.readCommitted(LedgerState::height), "nothing was submitted");
        assertThrows(IllegalArgumentException.class, () -> new SyntheticDevices(submitter(2)).leave(node),
                "another gateway does not hold its key");

        SubmitResult r = sub.submit(devices.leave(node), SubmitMode.COMMIT).first();
        assertEquals(SubmitStatus.COMMITTED, r.status(), r.toString());
        assertEquals(DeviceIdentity.State.REVOKED, app.readCommitted(s -> s.identity(name)).orElseThrow().state());
    }

    @Test
    void anEvictIsTheOwnersAloneAndAnyOtherGatewaysWithAQuorum() throws Exception {
        SyntheticDevices devices = new SyntheticDevices(submitter(1));
        int a = devices.join(SubmitMode.COMMIT).first().nodeId();
        int b = devices.join(SubmitMode.COMMIT).first().nodeId();
        Submitter other = submitter(2);
        SubmitResult alone = other.submit(Submitter.Request.evict(a), SubmitMode.COMMIT).first();
        assertEquals(SubmitStatus.REFUSED, alone.status());
        assertEquals(TxCode.EVICT_NOT_AUTHORIZED.code(), alone.code());
        member(a);

        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        List<Cosignatures.Cosignature> cs = List.of(Eviction.cosign(3, keys.get(2), a, nonce),
                Eviction.cosign(4, keys.get(3), a, nonce));
        for (SubmitMode mode : SubmitMode.values()) {
            int node = mode == SubmitMode.SYNC ? a : b;
            if (mode == SubmitMode.SYNC) {
                Submitter.Submission s = other.submit(Submitter.Request.evictCosigned(node, nonce, cs), mode);
                assertEquals(SubmitStatus.ACCEPTED, s.first().status(), s.first().toString());
                comet.makeBlock();
                assertEquals(SubmitStatus.COMMITTED, landed(s).status());
            } else {
                SubmitResult owner = submitter(1).submit(Submitter.Request.evict(node), mode).first();
                assertEquals(SubmitStatus.COMMITTED, owner.status(), owner.toString());
            }
            assertTrue(app.readCommitted(s -> s.member(node)).isEmpty());
        }
    }

    @Test
    void acknowledgedSyntheticJoinsOfAGatewayThatDiedLandAfterItsRestart() throws Exception {
        Path journalFile = dir.resolve("gw1").resolve("pending.journal");
        SyntheticDevices devices = new SyntheticDevices(submitter(1, app, comet, PendingJournal.open(journalFile)));
        Submitter.Submission s = devices.join(SubmitMode.SYNC);
        assertEquals(SubmitStatus.ACCEPTED, s.first().status());
        started.forEach(Submitter::close); // killed before any block; CometBFT's mempool is gone too
        String journal = Files.readString(journalFile, StandardCharsets.US_ASCII);
        assertTrue(journal.startsWith("P enroll:synthetic-"), journal);
        assertTrue(journal.contains("\nP " + s.first().nodeId() + " "), journal);

        LedgerApp restartedApp = newApp();
        OneValidatorComet restartedComet = comet.restartedWith(restartedApp);
        Submitter after = submitter(1, restartedApp, restartedComet, PendingJournal.open(journalFile));
        assertEquals(2, after.recover());
        // whatever order the watchdog resends them in, the join lands after its enrollment
        for (int i = 0; i < 3 && restartedApp.readCommitted(st -> st.member(s.first().nodeId())).isEmpty(); i++) {
            restartedComet.awaitMempool(1, WAIT);
            restartedComet.makeBlock();
        }
        assertTrue(restartedApp.readCommitted(st -> st.member(s.first().nodeId())).isPresent(), "the join landed");
        eventually("the journal records both landings", () -> {
            try {
                String j = Files.readString(journalFile, StandardCharsets.US_ASCII);
                return j.contains("D enroll:synthetic-") && j.contains("D " + s.first().nodeId() + "\n");
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }
}
