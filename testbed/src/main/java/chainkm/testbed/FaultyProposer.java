package chainkm.testbed;

import chainkm.gateway.abci.AbciApplication;
import com.google.protobuf.ByteString;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestExtendVote;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.RequestVerifyVoteExtension;
import tendermint.abci.Types.ResponseCheckTx;
import tendermint.abci.Types.ResponseCommit;
import tendermint.abci.Types.ResponseExtendVote;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseInfo;
import tendermint.abci.Types.ResponseInitChain;
import tendermint.abci.Types.ResponsePrepareProposal;
import tendermint.abci.Types.ResponseProcessProposal;
import tendermint.abci.Types.ResponseQuery;
import tendermint.abci.Types.ResponseVerifyVoteExtension;

/**
 * A faulty proposer, for the fault tests ({@code bin/chainkm gateway --faulty-proposals FILE}):
 * the ledger unchanged, except that every block this node proposes also carries the given raw
 * transactions, unchecked. Honest validators reject such a block in ProcessProposal. (The
 * ledger's own cache of the block it prepared no longer matches the block, so FinalizeBlock
 * runs the contracts again.)
 */
final class FaultyProposer implements AbciApplication {
    private static final Logger LOG = LoggerFactory.getLogger(FaultyProposer.class);

    private final AbciApplication ledger;
    private final List<ByteString> faultyProposals;

    FaultyProposer(AbciApplication ledger, List<byte[]> faultyProposals) {
        this.ledger = ledger;
        this.faultyProposals = faultyProposals.stream().map(ByteString::copyFrom).toList();
        LOG.warn("FAULTY PROPOSER MODE: {} invalid transactions will be put in this node's proposals",
                faultyProposals.size());
    }

    @Override
    public ResponsePrepareProposal prepareProposal(RequestPrepareProposal request) {
        return ledger.prepareProposal(request).toBuilder().addAllTxs(faultyProposals).build();
    }

    @Override
    public ResponseInfo info(RequestInfo request) {
        return ledger.info(request);
    }

    @Override
    public ResponseInitChain initChain(RequestInitChain request) {
        return ledger.initChain(request);
    }

    @Override
    public ResponseCheckTx checkTx(RequestCheckTx request) {
        return ledger.checkTx(request);
    }

    @Override
    public ResponseQuery query(RequestQuery request) {
        return ledger.query(request);
    }

    @Override
    public ResponseProcessProposal processProposal(RequestProcessProposal request) {
        return ledger.processProposal(request);
    }

    @Override
    public ResponseExtendVote extendVote(RequestExtendVote request) {
        return ledger.extendVote(request);
    }

    @Override
    public ResponseVerifyVoteExtension verifyVoteExtension(RequestVerifyVoteExtension request) {
        return ledger.verifyVoteExtension(request);
    }

    @Override
    public ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request) {
        return ledger.finalizeBlock(request);
    }

    @Override
    public ResponseCommit commit(RequestCommit request) {
        return ledger.commit(request);
    }
}
