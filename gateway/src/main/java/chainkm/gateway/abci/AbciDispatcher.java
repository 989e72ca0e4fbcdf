package chainkm.gateway.abci;

import tendermint.abci.Types.Request;
import tendermint.abci.Types.Response;
import tendermint.abci.Types.ResponseApplySnapshotChunk;
import tendermint.abci.Types.ResponseEcho;
import tendermint.abci.Types.ResponseException;
import tendermint.abci.Types.ResponseFlush;
import tendermint.abci.Types.ResponseListSnapshots;
import tendermint.abci.Types.ResponseLoadSnapshotChunk;
import tendermint.abci.Types.ResponseOfferSnapshot;

/**
 * Turns one ABCI request into its response: Echo, Flush and the state-sync snapshot calls
 * are answered here (chainkm offers no snapshots), everything else goes to the application.
 * Stateless, so one instance serves every connection.
 */
final class AbciDispatcher {

    /** A request whose {@code value} is none this server knows (unset or from a newer ABCI). */
    static final class UnknownRequestException extends Exception {
        private static final long serialVersionUID = 1L;

        UnknownRequestException(String message) {
            super(message);
        }
    }

    private final AbciApplication app;

    AbciDispatcher(AbciApplication app) {
        this.app = app;
    }

    /**
     * Answers the request. Exceptions from the application propagate to the caller, which
     * turns them into {@link #exception(Throwable)}.
     */
    Response dispatch(Request request) throws UnknownRequestException {
        Response.Builder response = Response.newBuilder();
        switch (request.getValueCase()) {
            case ECHO:
                return response.setEcho(ResponseEcho.newBuilder()
                        .setMessage(request.getEcho().getMessage())).build();
            case FLUSH:
                return response.setFlush(ResponseFlush.getDefaultInstance()).build();
            case INFO:
                return response.setInfo(app.info(request.getInfo())).build();
            case INIT_CHAIN:
                return response.setInitChain(app.initChain(request.getInitChain())).build();
            case QUERY:
                return response.setQuery(app.query(request.getQuery())).build();
            case CHECK_TX:
                return response.setCheckTx(app.checkTx(request.getCheckTx())).build();
            case PREPARE_PROPOSAL:
                return response.setPrepareProposal(
                        app.prepareProposal(request.getPrepareProposal())).build();
            case PROCESS_PROPOSAL:
                return response.setProcessProposal(
                        app.processProposal(request.getProcessProposal())).build();
            case EXTEND_VOTE:
                return response.setExtendVote(app.extendVote(request.getExtendVote())).build();
            case VERIFY_VOTE_EXTENSION:
                return response.setVerifyVoteExtension(
                        app.verifyVoteExtension(request.getVerifyVoteExtension())).build();
            case FINALIZE_BLOCK:
                return response.setFinalizeBlock(app.finalizeBlock(request.getFinalizeBlock())).build();
            case COMMIT:
                return response.setCommit(app.commit(request.getCommit())).build();
            case LIST_SNAPSHOTS:
                return response.setListSnapshots(ResponseListSnapshots.getDefaultInstance()).build();
            case OFFER_SNAPSHOT:
                return response.setOfferSnapshot(ResponseOfferSnapshot.newBuilder()
                        .setResult(ResponseOfferSnapshot.Result.REJECT)).build();
            case LOAD_SNAPSHOT_CHUNK:
                return response.setLoadSnapshotChunk(
                        ResponseLoadSnapshotChunk.getDefaultInstance()).build();
            case APPLY_SNAPSHOT_CHUNK:
                return response.setApplySnapshotChunk(ResponseApplySnapshotChunk.newBuilder()
                        .setResult(ResponseApplySnapshotChunk.Result.ABORT)).build();
            case VALUE_NOT_SET:
            default:
                throw new UnknownRequestException("unknown ABCI request (fields "
                        + request.getUnknownFields().asMap().keySet() + ")");
        }
    }

    /** The response CometBFT receives when the application failed on a request. */
    static Response exception(Throwable failure) {
        String text = failure.getMessage() == null
                ? failure.getClass().getName()
                : failure.getClass().getName() + ": " + failure.getMessage();
        return Response.newBuilder()
                .setException(ResponseException.newBuilder().setError(text))
                .build();
    }
}
