package chainkm.gateway.abci;

import chainkm.gateway.fuzz.Seed;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestEcho;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestFlush;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;

/**
 * The ABCI socket as the gateway's connection thread reads it: varint-delimited protobuf
 * Requests, one after another until the end of the stream. Every frame is a Request or the
 * stream ends with a MalformedFrameException (the connection is closed with a log line); what
 * was read writes back as a frame that reads as the same Request.
 */
public class AbciFramesFuzzTest {
    /** What CometBFT's connection would read (the server's own limit is larger: see {@link AbciFrames}). */
    private static final int MAX_FRAME = 1 << 20;

    @Timeout(10)
    @FuzzTest
    void stream(byte[] bytes) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        while (true) {
            Request request;
            try {
                request = AbciFrames.readRequest(in, MAX_FRAME);
            } catch (AbciFrames.MalformedFrameException e) {
                return; // the connection ends here, with a log line
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("the frame reader threw " + e + ", not a MalformedFrameException", e);
            }
            if (request == null) {
                return; // a clean end of the stream
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                AbciFrames.write(request, out);
                Request again = AbciFrames.readRequest(new ByteArrayInputStream(out.toByteArray()), MAX_FRAME);
                if (!request.equals(again)) {
                    throw new AssertionError("a request does not read back as itself: " + request.getValueCase());
                }
            } catch (IOException e) {
                throw new AssertionError("a request written back is not a frame", e);
            }
        }
    }

    /** A connection's first requests, as CometBFT sends them. */
    public static List<Seed> seeds() throws IOException {
        List<Request> requests = new ArrayList<>();
        requests.add(Request.newBuilder().setEcho(RequestEcho.newBuilder().setMessage("hello")).build());
        requests.add(Request.newBuilder().setFlush(RequestFlush.getDefaultInstance()).build());
        requests.add(Request.newBuilder().setInfo(RequestInfo.newBuilder().setVersion("0.38.17").setBlockVersion(11)
                .setP2PVersion(8).setAbciVersion("2.0.0")).build());
        requests.add(Request.newBuilder().setInitChain(RequestInitChain.newBuilder().setChainId("chainkm-test")
                .setInitialHeight(1).setAppStateBytes(ByteString.copyFromUtf8("{\"gateways\":[]}"))).build());
        byte[] tx = new byte[190];
        tx[0] = 1;
        tx[1] = 1;
        requests.add(Request.newBuilder().setCheckTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx))
                .setType(CheckTxType.NEW)).build());
        requests.add(Request.newBuilder().setPrepareProposal(RequestPrepareProposal.newBuilder().setHeight(2)
                .setMaxTxBytes(1 << 20).addTxs(ByteString.copyFrom(tx))).build());
        requests.add(Request.newBuilder().setProcessProposal(RequestProcessProposal.newBuilder().setHeight(2)
                .addTxs(ByteString.copyFrom(tx))).build());
        requests.add(Request.newBuilder().setFinalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(2)
                .addTxs(ByteString.copyFrom(tx))).build());
        requests.add(Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build());
        requests.add(Request.newBuilder().setQuery(RequestQuery.newBuilder().setPath("/members")
                .setData(ByteString.copyFromUtf8("1"))).build());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (Request r : requests) {
            AbciFrames.write(r, stream);
        }
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        AbciFrames.write(requests.get(4), one);
        return List.of(new Seed(AbciFramesFuzzTest.class, "stream", "connection", stream.toByteArray()),
                new Seed(AbciFramesFuzzTest.class, "stream", "check-tx", one.toByteArray()));
    }
}
