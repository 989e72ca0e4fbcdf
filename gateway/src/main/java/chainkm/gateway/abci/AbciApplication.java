package chainkm.gateway.abci;

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
 * An ABCI 2.0 application, as CometBFT v0.38 drives it. The socket server calls these
 * from one thread per CometBFT connection (consensus, mempool, query, snapshot), so an
 * implementation guards its own state. Echo, Flush and the snapshot calls are answered
 * by the server itself (chainkm offers no state-sync snapshots).
 */
public interface AbciApplication {

    ResponseInfo info(RequestInfo request);

    ResponseInitChain initChain(RequestInitChain request);

    ResponseCheckTx checkTx(RequestCheckTx request);

    ResponseQuery query(RequestQuery request);

    ResponsePrepareProposal prepareProposal(RequestPrepareProposal request);

    ResponseProcessProposal processProposal(RequestProcessProposal request);

    default ResponseExtendVote extendVote(RequestExtendVote request) {
        return ResponseExtendVote.getDefaultInstance();
    }

    default ResponseVerifyVoteExtension verifyVoteExtension(RequestVerifyVoteExtension request) {
        return ResponseVerifyVoteExtension.newBuilder()
                .setStatus(ResponseVerifyVoteExtension.VerifyStatus.ACCEPT)
                .build();
    }

    ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request);

    ResponseCommit commit(RequestCommit request);
}
