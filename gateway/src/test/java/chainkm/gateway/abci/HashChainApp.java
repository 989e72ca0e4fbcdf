package chainkm.gateway.abci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

import com.google.protobuf.ByteString;

import tendermint.abci.Types.ExecTxResult;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseCheckTx;
import tendermint.abci.Types.ResponseCommit;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseInfo;
import tendermint.abci.Types.ResponseInitChain;
import tendermint.abci.Types.ResponsePrepareProposal;
import tendermint.abci.Types.ResponseProcessProposal;
import tendermint.abci.Types.ResponseQuery;

/**
 * A test application: every non-empty tx is accepted, and the app hash is a SHA-256 chain
 * over all txs in block order ({@code hash = SHA-256(hash || tx)}, starting from 32 zero
 * bytes), so empty blocks keep it. Guards its state with its own lock, as CometBFT calls
 * it from several connections at once.
 */
class HashChainApp implements AbciApplication {

    static final int CODE_OK = 0;
    static final int CODE_EMPTY_TX = 1;

    private static final ByteString GENESIS_HASH = ByteString.copyFrom(new byte[32]);

    // committed state
    private long height;
    private ByteString appHash = GENESIS_HASH;
    /** App hash after each finalized height, to compare with block headers. */
    private final NavigableMap<Long, ByteString> hashAtHeight = new TreeMap<>();
    private final List<ByteString> finalizedTxs = new ArrayList<>();
    // state finalized but not yet committed
    private long pendingHeight;
    private ByteString pendingHash;

    @Override
    public synchronized ResponseInfo info(RequestInfo request) {
        return ResponseInfo.newBuilder()
                .setData("hash-chain")
                .setLastBlockHeight(height)
                .setLastBlockAppHash(height == 0 ? ByteString.EMPTY : appHash)
                .build();
    }

    @Override
    public synchronized ResponseInitChain initChain(RequestInitChain request) {
        return ResponseInitChain.newBuilder().setAppHash(GENESIS_HASH).build();
    }

    @Override
    public ResponseCheckTx checkTx(RequestCheckTx request) {
        boolean empty = request.getTx().isEmpty();
        return ResponseCheckTx.newBuilder()
                .setCode(empty ? CODE_EMPTY_TX : CODE_OK)
                .setLog(empty ? "empty tx" : "")
                .build();
    }

    @Override
    public synchronized ResponseQuery query(RequestQuery request) {
        return ResponseQuery.newBuilder()
                .setHeight(height)
                .setKey(request.getData())
                .setValue(appHash)
                .build();
    }

    @Override
    public ResponsePrepareProposal prepareProposal(RequestPrepareProposal request) {
        ResponsePrepareProposal.Builder response = ResponsePrepareProposal.newBuilder();
        long bytes = 0;
        for (ByteString tx : request.getTxsList()) {
            bytes += tx.size();
            if (bytes > request.getMaxTxBytes()) {
                break;
            }
            response.addTxs(tx);
        }
        return response.build();
    }

    @Override
    public ResponseProcessProposal processProposal(RequestProcessProposal request) {
        boolean valid = request.getTxsList().stream().noneMatch(ByteString::isEmpty);
        return ResponseProcessProposal.newBuilder()
                .setStatus(valid ? ResponseProcessProposal.ProposalStatus.ACCEPT
                        : ResponseProcessProposal.ProposalStatus.REJECT)
                .build();
    }

    @Override
    public synchronized ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request) {
        ResponseFinalizeBlock.Builder response = ResponseFinalizeBlock.newBuilder();
        ByteString hash = appHash;
        for (ByteString tx : request.getTxsList()) {
            hash = sha256(hash, tx);
            finalizedTxs.add(tx);
            response.addTxResults(ExecTxResult.newBuilder().setCode(CODE_OK).setData(hash));
        }
        pendingHeight = request.getHeight();
        pendingHash = hash;
        hashAtHeight.put(pendingHeight, hash);
        return response.setAppHash(hash).build();
    }

    @Override
    public synchronized ResponseCommit commit(RequestCommit request) {
        if (pendingHash == null) {
            throw new IllegalStateException("Commit without FinalizeBlock");
        }
        height = pendingHeight;
        appHash = pendingHash;
        pendingHash = null;
        return ResponseCommit.getDefaultInstance();
    }

    synchronized long height() {
        return height;
    }

    synchronized ByteString appHash() {
        return appHash;
    }

    /** The app hash after FinalizeBlock at {@code height}, or the genesis hash before any. */
    synchronized ByteString appHashAfter(long height) {
        var entry = hashAtHeight.floorEntry(height);
        return entry == null ? GENESIS_HASH : entry.getValue();
    }

    synchronized List<ByteString> finalizedTxs() {
        return List.copyOf(finalizedTxs);
    }

    synchronized boolean sawTx(String tx) {
        return finalizedTxs.contains(ByteString.copyFrom(tx, StandardCharsets.UTF_8));
    }

    static ByteString sha256(ByteString previous, ByteString tx) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(previous.asReadOnlyByteBuffer());
            digest.update(tx.asReadOnlyByteBuffer());
            return ByteString.copyFrom(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
