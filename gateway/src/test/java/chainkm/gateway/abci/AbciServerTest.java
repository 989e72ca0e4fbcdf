package chainkm.gateway.abci;

import static chainkm.gateway.abci.AbciTestClient.echoRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestApplySnapshotChunk;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestExtendVote;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestListSnapshots;
import tendermint.abci.Types.RequestLoadSnapshotChunk;
import tendermint.abci.Types.RequestOfferSnapshot;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.RequestVerifyVoteExtension;
import tendermint.abci.Types.Response;
import tendermint.abci.Types.ResponseApplySnapshotChunk;
import tendermint.abci.Types.ResponseOfferSnapshot;
import tendermint.abci.Types.ResponseProcessProposal;
import tendermint.abci.Types.ResponseVerifyVoteExtension;

class AbciServerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Set<String> callingThreads = ConcurrentHashMap.newKeySet();
    private HashChainApp app;
    private AbciServer server;

    @BeforeEach
    void startServer() throws IOException {
        app = new HashChainApp() {
            @Override
            public tendermint.abci.Types.ResponseInfo info(RequestInfo request) {
                callingThreads.add(Thread.currentThread().getName());
                return super.info(request);
            }
        };
        server = AbciServer.startTcp(app, 0);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void answersEveryRequestInOrderOnFlush() throws IOException {
        ByteString tx = bytes("k=v");
        try (AbciTestClient client = new AbciTestClient(server.port())) {
            List<Response> responses = client.call(
                    echoRequest("hello"),
                    Request.newBuilder().setInfo(RequestInfo.newBuilder().setVersion("0.38.26")).build(),
                    Request.newBuilder().setInitChain(RequestInitChain.newBuilder().setChainId("c")).build(),
                    Request.newBuilder().setCheckTx(RequestCheckTx.newBuilder().setTx(tx)).build(),
                    Request.newBuilder().setCheckTx(RequestCheckTx.newBuilder()).build(),
                    Request.newBuilder().setPrepareProposal(RequestPrepareProposal.newBuilder()
                            .addTxs(tx).setMaxTxBytes(1024)).build(),
                    Request.newBuilder().setProcessProposal(RequestProcessProposal.newBuilder().addTxs(tx)).build(),
                    Request.newBuilder().setExtendVote(RequestExtendVote.newBuilder().setHeight(1)).build(),
                    Request.newBuilder().setVerifyVoteExtension(
                            RequestVerifyVoteExtension.newBuilder().setHeight(1)).build(),
                    Request.newBuilder().setFinalizeBlock(RequestFinalizeBlock.newBuilder()
                            .setHeight(1).addTxs(tx)).build(),
                    Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build(),
                    Request.newBuilder().setQuery(RequestQuery.newBuilder().setData(tx)).build(),
                    Request.newBuilder().setListSnapshots(RequestListSnapshots.getDefaultInstance()).build(),
                    Request.newBuilder().setOfferSnapshot(RequestOfferSnapshot.getDefaultInstance()).build(),
                    Request.newBuilder().setLoadSnapshotChunk(RequestLoadSnapshotChunk.getDefaultInstance()).build(),
                    Request.newBuilder().setApplySnapshotChunk(
                            RequestApplySnapshotChunk.getDefaultInstance()).build());

            ByteString expectedHash = HashChainApp.sha256(ByteString.copyFrom(new byte[32]), tx);
            assertEquals(17, responses.size());
            assertEquals("hello", responses.get(0).getEcho().getMessage());
            assertEquals(0, responses.get(1).getInfo().getLastBlockHeight());
            assertTrue(responses.get(2).hasInitChain());
            assertEquals(HashChainApp.CODE_OK, responses.get(3).getCheckTx().getCode());
            assertEquals(HashChainApp.CODE_EMPTY_TX, responses.get(4).getCheckTx().getCode());
            assertEquals(List.of(tx), responses.get(5).getPrepareProposal().getTxsList());
            assertEquals(ResponseProcessProposal.ProposalStatus.ACCEPT,
                    responses.get(6).getProcessProposal().getStatus());
            assertTrue(responses.get(7).hasExtendVote());
            assertEquals(ResponseVerifyVoteExtension.VerifyStatus.ACCEPT,
                    responses.get(8).getVerifyVoteExtension().getStatus());
            assertEquals(1, responses.get(9).getFinalizeBlock().getTxResultsCount());
            assertEquals(expectedHash, responses.get(9).getFinalizeBlock().getAppHash());
            assertTrue(responses.get(10).hasCommit());
            assertEquals(expectedHash, responses.get(11).getQuery().getValue());
            assertEquals(0, responses.get(12).getListSnapshots().getSnapshotsCount());
            assertEquals(ResponseOfferSnapshot.Result.REJECT, responses.get(13).getOfferSnapshot().getResult());
            assertTrue(responses.get(14).getLoadSnapshotChunk().getChunk().isEmpty());
            assertEquals(ResponseApplySnapshotChunk.Result.ABORT,
                    responses.get(15).getApplySnapshotChunk().getResult());
            assertTrue(responses.get(16).hasFlush());

            assertEquals(1, app.height());
            assertEquals(expectedHash, app.appHash());
        }
        assertTrue(callingThreads.stream().allMatch(name -> name.startsWith("abci-" + server.port() + "-")),
                "application called from " + callingThreads);
    }

    @Test
    void failingApplicationCallYieldsExceptionAndConnectionGoesOn() throws IOException {
        try (AbciTestClient client = new AbciTestClient(server.port())) {
            Response response = client.callOne(Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build());

            assertTrue(response.hasException());
            assertTrue(response.getException().getError().contains("Commit without FinalizeBlock"),
                    response.getException().getError());
            assertEquals("still here", client.callOne(echoRequest("still here")).getEcho().getMessage());
        }
    }

    @Test
    void malformedFrameClosesOnlyThatConnection() throws IOException {
        try (AbciTestClient bystander = new AbciTestClient(server.port());
                AbciTestClient garbage = new AbciTestClient(server.port());
                AbciTestClient overlong = new AbciTestClient(server.port());
                AbciTestClient unknown = new AbciTestClient(server.port())) {
            garbage.sendRaw(new byte[] {5, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            overlong.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
            // field 4 is the retired SetOption: parses, but is no request this server knows
            unknown.sendRaw(new byte[] {2, 0x22, 0});

            assertTrue(garbage.isClosedByServer());
            assertTrue(overlong.isClosedByServer());
            assertTrue(unknown.isClosedByServer());
            assertEquals("ok", bystander.callOne(echoRequest("ok")).getEcho().getMessage());
            try (AbciTestClient newcomer = new AbciTestClient(server.port())) {
                assertEquals("new", newcomer.callOne(echoRequest("new")).getEcho().getMessage());
            }
        }
    }

    @Test
    void clientLeavingDoesNotStopTheServer() throws IOException {
        try (AbciTestClient client = new AbciTestClient(server.port())) {
            client.callOne(echoRequest("first"));
            assertEquals(1, server.connectionCount());
        }
        waitUntil(() -> server.connectionCount() == 0, "connection to be forgotten");
        try (AbciTestClient client = new AbciTestClient(server.port())) {
            assertEquals("second", client.callOne(echoRequest("second")).getEcho().getMessage());
        }
    }

    @Test
    void responsesQueuedWithoutFlushStillArrive() throws IOException {
        try (AbciTestClient client = new AbciTestClient(server.port())) {
            client.send(echoRequest("no flush"));
            client.pushToSocket();
            assertEquals("no flush", client.read().getEcho().getMessage());
        }
    }

    @Test
    void closeStopsEverythingAndFreesThePort() throws IOException {
        int port = server.port();
        try (AbciTestClient first = new AbciTestClient(port);
                AbciTestClient second = new AbciTestClient(port)) {
            first.callOne(echoRequest("a"));
            second.callOne(echoRequest("b"));

            server.close();
            server.close();

            assertTrue(server.isClosed());
            assertTrue(first.isClosedByServer());
            assertTrue(second.isClosedByServer());
            assertEquals(0, server.connectionCount());
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("abci-") && t.getName().contains(port + "")),
                "ABCI threads left running");
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        try (ServerSocket rebound = new ServerSocket()) {
            rebound.setReuseAddress(true);
            rebound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }

    @Test
    void servesOverUnixDomainSocket(@TempDir Path dir) throws IOException {
        Path socketFile = dir.resolve("abci.sock");
        try (AbciServer unixServer = AbciServer.startUnix(new HashChainApp(), socketFile)) {
            assertEquals("unix://" + socketFile.toAbsolutePath(), unixServer.proxyAppAddress());
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socketFile))) {
                var out = Channels.newOutputStream(channel);
                AbciFrames.write(echoRequest("over unix"), out);
                AbciFrames.write(AbciTestClient.flushRequest(), out);
                var in = Channels.newInputStream(channel);
                assertEquals("over unix",
                        AbciFrames.readResponse(in, AbciFrames.DEFAULT_MAX_FRAME_BYTES).getEcho().getMessage());
                assertTrue(AbciFrames.readResponse(in, AbciFrames.DEFAULT_MAX_FRAME_BYTES).hasFlush());
            }
        }
        assertFalse(Files.exists(socketFile));
    }

    @Test
    void proxyAppAddressNamesTheBoundPort() {
        assertEquals("tcp://127.0.0.1:" + server.port(), server.proxyAppAddress());
    }

    private static ByteString bytes(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }

    private static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
