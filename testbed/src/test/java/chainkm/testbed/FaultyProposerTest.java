package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.StateStore;
import chainkm.protocol.crypto.Ed25519;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.ResponseProcessProposal;

/** The faulty proposer of the fault tests (moved here from LedgerAppTest with the fault mode itself). */
class FaultyProposerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair gw1 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair gw2 = Ed25519.KeyPair.generate(RANDOM);
    @TempDir
    Path dir;
    private LedgerApp app;

    @BeforeEach
    void start() throws Exception {
        app = newApp(dir.resolve("a"));
    }

    private LedgerApp newApp(Path home) throws Exception {
        LedgerApp a = new LedgerApp(new StateStore(home));
        a.initChain(RequestInitChain.newBuilder().setChainId("test")
                .setAppStateBytes(ByteString.copyFromUtf8(appState())).build());
        return a;
    }

    private String appState() {
        return "{\"gateways\":[{\"id\":1,\"public_key\":\"" + Base64.getEncoder().encodeToString(gw1.publicKey())
                + "\"},{\"id\":2,\"public_key\":\"" + Base64.getEncoder().encodeToString(gw2.publicKey()) + "\"}]}";
    }

    @Test
    void aFaultyProposerInjectsTransactionsThatHonestNodesReject() throws Exception {
        FaultyProposer faulty = new FaultyProposer(new LedgerApp(new StateStore(dir.resolve("f"))),
                List.of("garbage".getBytes()));
        faulty.initChain(RequestInitChain.newBuilder().setChainId("test")
                .setAppStateBytes(ByteString.copyFromUtf8(appState())).build());
        var proposal = faulty.prepareProposal(RequestPrepareProposal.newBuilder().setHeight(1).setMaxTxBytes(1 << 20).build());
        assertEquals(1, proposal.getTxsCount());
        var verdict = app.processProposal(RequestProcessProposal.newBuilder().setHeight(1).addAllTxs(proposal.getTxsList()).build());
        assertEquals(ResponseProcessProposal.ProposalStatus.REJECT, verdict.getStatus());
    }
}
