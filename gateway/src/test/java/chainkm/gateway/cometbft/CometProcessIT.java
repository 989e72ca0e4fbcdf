package chainkm.gateway.cometbft;

import static chainkm.gateway.cometbft.CometTestSupport.await;
import static chainkm.gateway.cometbft.CometTestSupport.awaitHeight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One validator running CometBFT's built-in kvstore application, driven through
 * {@link CometProcess} and {@link CometRpc}.
 */
class CometProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<CometProcess> processes = new ArrayList<>();

    private record Node(CometHome home, CometProcess process, CometRpc rpc) {
        Path log() {
            return process.logFile();
        }
    }

    @AfterEach
    void stopEveryNode() {
        for (CometProcess p : processes) {
            p.close();
        }
    }

    private Node startSingleValidator(String moniker, OptionalInt failTestIndex) throws Exception {
        Path binary = CometBinary.locate();
        CometHome home = CometHome.init(binary, dir.resolve(moniker), moniker);
        CometHome.writeGenesis(List.of(home), "chainkm-it", "{}");
        int[] ports = CometTestSupport.freePorts(2);
        home.writeConfig(new NodeConfig(moniker, ports[0], ports[1], "kvstore", Profile.FAST, List.of()));
        CometProcess.Options options = CometProcess.Options.of(binary, home.home(), dir.resolve(moniker + ".log"))
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
        if (failTestIndex.isPresent()) {
            options = options.withFailTestIndex(failTestIndex.getAsInt());
        }
        CometProcess process = CometProcess.start(options);
        processes.add(process);
        return new Node(home, process, new CometRpc(ports[1]));
    }

    @Test
    void kvstoreValidatorCommitsAnswersAndIndexesTransactions() throws Exception {
        Node n = startSingleValidator("solo", OptionalInt.empty());

        long h = awaitHeight(n.rpc(), 1, WAIT, n.log());
        awaitHeight(n.rpc(), h + 1, WAIT, n.log());
        CometRpc.Status status = n.rpc().status();
        assertEquals(n.home().nodeId(), status.nodeId());
        assertEquals("chainkm-it", status.network());
        assertFalse(status.catchingUp());

        byte[] tx = "k=v".getBytes(StandardCharsets.UTF_8);
        CometRpc.CommitResult committed = n.rpc().broadcastTxCommit(tx);
        assertTrue(committed.isOk(), committed.toString());
        assertEquals(CometRpc.txHashHex(tx), committed.hashHex());

        CometRpc.TxResult found = n.rpc().tx(committed.hashHex()).orElseThrow();
        assertEquals(committed.height(), found.height());
        assertEquals(0, found.code());

        CometRpc.QueryResult query = n.rpc().abciQuery("/store", "k".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, query.code(), query.log());
        assertEquals("v", new String(query.value(), StandardCharsets.UTF_8));
        assertTrue(query.height() >= committed.height());

        byte[] tx2 = "k2=v2".getBytes(StandardCharsets.UTF_8);
        CometRpc.BroadcastResult sync = n.rpc().broadcastTxSync(tx2);
        assertTrue(sync.isOk(), sync.toString());
        assertEquals(CometRpc.txHashHex(tx2), sync.hashHex());
        await("k2=v2 is committed", WAIT, n.log(), () -> n.rpc().tx(sync.hashHex()).isPresent());
        assertEquals(0, n.rpc().numUnconfirmedTxs());

        CometRpc.BroadcastResult refused = n.rpc().broadcastTxSync("a=b=c".getBytes(StandardCharsets.UTF_8));
        assertNotEquals(0, refused.code(), "kvstore refuses a transaction with two '='");

        assertTrue(n.rpc().tx(CometRpc.txHashHex("never=sent".getBytes(StandardCharsets.UTF_8))).isEmpty());
        assertEquals(0, n.rpc().netInfoPeers());
        CometRpc.Header header = n.rpc().header(committed.height() + 1);
        assertEquals(committed.height() + 1, header.height());
        assertFalse(header.appHashHex().isEmpty());
    }

    @Test
    void keyFilesStayOwnerOnlyWhileRunning() throws Exception {
        Node n = startSingleValidator("keys", OptionalInt.empty());
        awaitHeight(n.rpc(), 2, WAIT, n.log());
        for (Path key : List.of(n.home().privValidatorKeyFile(), n.home().nodeKeyFile(),
                n.home().privValidatorStateFile())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
        }
    }

    @Test
    void killedNodeStaysDead() throws Exception {
        Node n = startSingleValidator("killed", OptionalInt.empty());
        awaitHeight(n.rpc(), 1, WAIT, n.log());

        n.process().kill();
        OptionalInt code = n.process().awaitExit(WAIT);

        assertTrue(code.isPresent());
        assertFalse(n.process().isAlive());
        Thread.sleep(1000); // five times the first back-off: a restart would have happened
        assertFalse(n.process().isAlive());
        assertEquals(0, n.process().restarts());

        n.process().setSupervised(true); // and it can be brought back
        assertTrue(n.process().awaitRestarts(1, WAIT));
        awaitHeight(n.rpc(), 2, WAIT, n.log());
    }

    @Test
    void nodeKilledFromOutsideIsRestartedAndCarriesOn() throws Exception {
        Node n = startSingleValidator("crashy", OptionalInt.empty());
        long before = awaitHeight(n.rpc(), 2, WAIT, n.log());
        long pid = n.process().pid();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        assertTrue(n.process().awaitRestarts(1, WAIT), "restarted" + CometTestSupport.logTail(n.log()));
        assertNotEquals(pid, n.process().pid());
        assertEquals(OptionalInt.of(137), n.process().lastExitCode());
        awaitHeight(n.rpc(), before + 2, WAIT, n.log());
    }

    @Test
    void failTestIndexCrashesTheFirstRunOnly() throws Exception {
        Node n = startSingleValidator("failing", OptionalInt.of(0));

        assertTrue(n.process().awaitRestarts(1, WAIT), "restarted" + CometTestSupport.logTail(n.log()));
        assertEquals(OptionalInt.of(1), n.process().lastExitCode(), "libs/fail exits with 1");
        assertTrue(Files.readString(n.log()).contains("*** fail-test 0 ***"));
        awaitHeight(n.rpc(), 3, WAIT, n.log());
        assertEquals(1, n.process().restarts());
    }

    @Test
    void closeIsIdempotentAndStopsTheNode() throws Exception {
        Node n = startSingleValidator("closing", OptionalInt.empty());
        awaitHeight(n.rpc(), 1, WAIT, n.log());
        n.process().close();
        assertFalse(n.process().isAlive());
        n.process().close();
        assertEquals(0, n.process().restarts());
    }
}
