package chainkm.gateway.ledger;

import chainkm.gateway.abci.AbciApplication;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.ledger.Operation;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.Event;
import tendermint.abci.Types.EventAttribute;
import tendermint.abci.Types.ExecTxResult;
import tendermint.abci.Types.ValidatorUpdate;
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
 * The key-management ledger as an ABCI 2.0 application, in the shape of CometBFT's kvstore
 * example: CheckTx runs the contracts on the mempool's state; FinalizeBlock runs them on a
 * copy of the committed state (or takes the result of running them on the same block in
 * PrepareProposal or ProcessProposal, which did exactly that) and persists nothing; Commit persists atomically; Info
 * reports what was last committed, so CometBFT's handshake replays whatever a crash lost.
 * One lock serialises CometBFT's connections (consensus, mempool, query).
 */
public final class LedgerApp implements AbciApplication {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerApp.class);
    public static final long APP_VERSION = 1;
    private volatile java.util.Map<Integer, byte[]> validatorKeys = java.util.Map.of();

    /** Told about every committed block: the tx hashes (hex, upper case) with their codes. */
    public interface CommitListener {
        void committed(long height, List<TxResult> results);
    }

    public record TxResult(String hash, TxCode code) {}

    /** Told about every CheckTx this node runs (new and rechecks), after it ran. */
    public interface CheckTxListener {
        void checked(String hash, TxCode code, boolean recheck);
    }

    private final Object lock = new Object();
    private final StateStore store;
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final List<CheckTxListener> checkListeners = new CopyOnWriteArrayList<>();
    private LedgerState committed;
    private LedgerState checkState;
    private LedgerState pending;
    private List<TxResult> pendingResults = List.of();
    /**
     * The block this node last executed in PrepareProposal or ProcessProposal: FinalizeBlock of
     * the same transactions at the same height takes its state and outcomes instead of copying
     * the committed state and running the contracts a second time. Used at most once.
     */
    private Executed executed;
    /** A transaction is verified once on this node (CheckTx, recheck, proposals and the block all see it). */
    private final VerifiedSignatures signatures = new VerifiedSignatures();

    private record Executed(long height, List<ByteString> txs, LedgerState state, List<Contracts.Outcome> outcomes) {}

    public LedgerApp(StateStore store) throws IOException {
        this.store = store;
        this.committed = store.load();
        this.checkState = committed.copy();
        LOG.info("ledger state loaded: height {}, {} members in {} sets", committed.height(),
                committed.members().size(), committed.layout().setCount());
    }

    /**
     * The CometBFT validator key (Ed25519, 32 bytes) of each gateway, from genesis
     * (app_state.gateways[].validator_key): every node reads the same genesis, so the validator
     * update a removal makes is the same everywhere.
     */
    public void setValidatorKeys(java.util.Map<Integer, byte[]> keys) {
        validatorKeys = java.util.Map.copyOf(keys);
    }

    public void addCommitListener(CommitListener listener) {
        listeners.add(listener);
    }

    public void addCheckTxListener(CheckTxListener listener) {
        checkListeners.add(listener);
    }

    /** Runs {@code reader} on the committed state, under the lock. */
    public <T> T readCommitted(Function<LedgerState, T> reader) {
        synchronized (lock) {
            return reader.apply(committed);
        }
    }

    /** Runs {@code reader} on the mempool's state (committed plus transactions that passed CheckTx). */
    public <T> T readCheckState(Function<LedgerState, T> reader) {
        synchronized (lock) {
            return reader.apply(checkState);
        }
    }

    @Override
    public ResponseInfo info(RequestInfo request) {
        synchronized (lock) {
            return ResponseInfo.newBuilder()
                    .setData("chainkm key-management ledger")
                    .setVersion("1")
                    .setAppVersion(APP_VERSION)
                    .setLastBlockHeight(committed.height())
                    .setLastBlockAppHash(ByteString.copyFrom(committed.appHash()))
                    .build();
        }
    }

    @Override
    public ResponseInitChain initChain(RequestInitChain request) {
        synchronized (lock) {
            Consortium consortium = Consortium.fromAppState(request.getAppStateBytes().toByteArray());
            LedgerState genesis = LedgerState.empty();
            genesis.setConsortium(consortium);
            StateWriter w = new StateWriter();
            w.put("chainkm genesis".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            w.put(request.getChainId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            consortium.encodeTo(w);
            genesis.setGenesisHash(Sha256.hash(w.toByteArray()));
            committed = genesis;
            checkState = committed.copy();
            executed = null;
            LOG.info("InitChain: chain {} with a consortium of {} gateways {}", request.getChainId(),
                    consortium.size(), consortium.keys().keySet());
            return ResponseInitChain.newBuilder().setAppHash(ByteString.copyFrom(genesis.appHash())).build();
        }
    }

    @Override
    public ResponseCheckTx checkTx(RequestCheckTx request) {
        byte[] tx = request.getTx().toByteArray();
        boolean recheck = request.getType() == CheckTxType.RECHECK;
        Contracts.Verdict v;
        synchronized (lock) {
            v = Contracts.execute(checkState, tx, checkState.height() + 1, 0, signatures).verdict();
        }
        if (!v.accepted()) {
            LOG.info("CheckTx{} refused: {}", recheck ? " (recheck)" : "", v.log());
        }
        if (!checkListeners.isEmpty()) {
            String hash = Hex.encode(Sha256.hash(tx)).toUpperCase();
            for (CheckTxListener l : checkListeners) {
                l.checked(hash, v.code(), recheck);
            }
        }
        return ResponseCheckTx.newBuilder()
                .setCode(v.code().code())
                .setCodespace(v.accepted() ? "" : TxCode.CODESPACE)
                .setLog(v.log())
                .build();
    }

    @Override
    public ResponseQuery query(RequestQuery request) {
        synchronized (lock) {
            return LedgerQuery.answer(committed, request);
        }
    }

    @Override
    public ResponsePrepareProposal prepareProposal(RequestPrepareProposal request) {
        synchronized (lock) {
            LedgerState scratch = committed.copy();
            scratch.expireTokens(request.getHeight());
            ResponsePrepareProposal.Builder out = ResponsePrepareProposal.newBuilder();
            long budget = request.getMaxTxBytes();
            long used = 0;
            int index = 0;
            List<Contracts.Outcome> outcomes = new ArrayList<>();
            for (ByteString tx : request.getTxsList()) {
                if (used + tx.size() > budget) {
                    continue;
                }
                // drop what would be refused (e.g. two joins that both took the same set's last place)
                Contracts.Outcome o = Contracts.execute(scratch, tx.toByteArray(), request.getHeight(), index, signatures);
                if (o.verdict().accepted()) {
                    out.addTxs(tx);
                    outcomes.add(o);
                    used += tx.size();
                    index++;
                }
            }
            ResponsePrepareProposal response = out.build();
            executed = height(request.getHeight())
                    ? new Executed(request.getHeight(), response.getTxsList(), scratch, outcomes) : null;
            return response;
        }
    }

    @Override
    public ResponseProcessProposal processProposal(RequestProcessProposal request) {
        synchronized (lock) {
            LedgerState scratch = committed.copy();
            scratch.expireTokens(request.getHeight());
            int index = 0;
            List<Contracts.Outcome> outcomes = new ArrayList<>();
            executed = null;
            for (ByteString tx : request.getTxsList()) {
                Contracts.Outcome o = Contracts.execute(scratch, tx.toByteArray(), request.getHeight(), index++, signatures);
                outcomes.add(o);
                Contracts.Verdict v = o.verdict();
                if (!v.accepted()) {
                    LOG.warn("ProcessProposal: REJECT block {} proposed by {}: transaction {} refused: {}",
                            request.getHeight(), Hex.encode(request.getProposerAddress().toByteArray()), index - 1, v.log());
                    return ResponseProcessProposal.newBuilder()
                            .setStatus(ResponseProcessProposal.ProposalStatus.REJECT).build();
                }
            }
            if (height(request.getHeight())) {
                executed = new Executed(request.getHeight(), request.getTxsList(), scratch, outcomes);
            }
            return ResponseProcessProposal.newBuilder()
                    .setStatus(ResponseProcessProposal.ProposalStatus.ACCEPT).build();
        }
    }

    @Override
    public ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request) {
        synchronized (lock) {
            long height = request.getHeight();
            if (height != committed.height() + 1) {
                throw new IllegalStateException("FinalizeBlock for height " + height + " but the committed height is "
                        + committed.height());
            }
            Executed done = executed;
            executed = null;
            boolean reuse = done != null && done.height() == height && done.txs().equals(request.getTxsList());
            LedgerState state = reuse ? done.state() : committed.copy();
            if (!reuse) {
                state.expireTokens(height); // before the transactions, as the proposals did
            }
            ResponseFinalizeBlock.Builder out = ResponseFinalizeBlock.newBuilder();
            MessageDigest digest = Sha256.newDigest();
            List<TxResult> results = new ArrayList<>();
            int index = 0;
            for (ByteString tx : request.getTxsList()) {
                byte[] bytes = tx.toByteArray();
                Contracts.Outcome outcome = reuse ? done.outcomes().get(index) : Contracts.execute(state, bytes, height, index, signatures);
                Contracts.Verdict v = outcome.verdict();
                byte[] txHash = Sha256.hash(bytes);
                digest.update(txHash);
                digest.update(new byte[] {(byte) (v.code().code() >>> 8), (byte) v.code().code()});
                results.add(new TxResult(Hex.encode(txHash).toUpperCase(), v.code()));
                ExecTxResult.Builder r = ExecTxResult.newBuilder().setCode(v.code().code()).setLog(v.log());
                if (v.accepted() && v.tx().record().operation() == Operation.REMOVE_GATEWAY) {
                    byte[] validator = validatorKeys.get(v.tx().record().nodeId());
                    if (validator != null) {
                        // the removed gateway's validator leaves consensus too (power 0)
                        out.addValidatorUpdates(ValidatorUpdate.newBuilder().setPower(0).setPubKey(
                                tendermint.crypto.Keys.PublicKey.newBuilder().setEd25519(ByteString.copyFrom(validator))));
                    }
                }
                if (v.accepted()) {
                    if (outcome.identity() != null) {
                        r.addEvents(identityEvent(v.tx().record().operation(), outcome.identity()));
                        LOG.info("FinalizeBlock {}: transaction {} accepted: {} of {} (enrolled by gateway {}), through "
                                + "gateway {}", height, index, v.tx().record().operation(), outcome.identity(),
                                outcome.identity().enrolledBy(), v.tx().gatewayId());
                    }
                    if (outcome.token() != null) {
                        r.addEvents(tokenEvent(outcome.token()));
                        LOG.info("FinalizeBlock {}: transaction {} accepted: token granted {} through gateway {}",
                                height, index, outcome.token(), v.tx().gatewayId());
                    }
                    if (outcome.entry() != null) {
                        r.addEvents(event(outcome.entry()));
                    } else if (outcome.identity() == null && outcome.token() == null) {
                        LOG.info("FinalizeBlock {}: transaction {} accepted: {}", height, index, v.tx().record());
                    }
                } else {
                    r.setCodespace(TxCode.CODESPACE);
                    LOG.warn("FinalizeBlock {}: transaction {} refused: {}", height, index, v.log());
                }
                out.addTxResults(r);
                index++;
            }
            // expired tokens change the state (and so the app hash) of a block without transactions too
            boolean changed = request.getTxsCount() > 0 || !java.util.Arrays.equals(state.stateDigest(), committed.stateDigest());
            state.finishBlock(height, digest.digest(), changed);
            pending = state;
            pendingResults = results;
            return out.setAppHash(ByteString.copyFrom(state.appHash())).build();
        }
    }

    /** True when {@code height} is the next one on the committed state (what a cached execution must build on). */
    private boolean height(long height) {
        return height == committed.height() + 1;
    }

    private static Event event(RefreshEntry e) {
        Event.Builder ev = Event.newBuilder().setType("chainkm")
                .addAttributes(attr("operation", e.operation().name().toLowerCase()))
                .addAttributes(attr("node", Integer.toString(e.nodeId())))
                .addAttributes(attr("set", Integer.toString(e.setId())))
                .addAttributes(attr("gateway", Integer.toString(e.gatewayId())));
        if (!e.moves().isEmpty()) {
            ev.addAttributes(attr("moves", Integer.toString(e.moves().size())));
        }
        return ev.build();
    }

    /** What an identity change shows in the block's results (never a key). */
    private static Event identityEvent(Operation op, DeviceIdentity id) {
        return Event.newBuilder().setType("chainkm_identity")
                .addAttributes(attr("operation", op.name().toLowerCase()))
                .addAttributes(attr("name", id.name()))
                .addAttributes(attr("state", id.state().name().toLowerCase()))
                .addAttributes(attr("node", Integer.toString(id.node())))
                .build();
    }

    /** What a granted token shows in the block's results (the client's key is public; no secret here). */
    private static Event tokenEvent(chainkm.protocol.authz.AccessToken t) {
        return Event.newBuilder().setType("chainkm_token")
                .addAttributes(attr("cti", Hex.encode(t.cti())))
                .addAttributes(attr("aud", t.audience()))
                .addAttributes(attr("exp", Long.toString(t.exp())))
                .addAttributes(attr("token", Hex.encode(t.encode())))
                .build();
    }

    private static EventAttribute attr(String key, String value) {
        return EventAttribute.newBuilder().setKey(key).setValue(value).setIndex(true).build();
    }

    @Override
    public ResponseCommit commit(RequestCommit request) {
        List<TxResult> results;
        long height;
        synchronized (lock) {
            if (pending == null) {
                throw new IllegalStateException("Commit without FinalizeBlock");
            }
            pending.markCommitted();
            try {
                store.save(pending);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot persist the committed ledger state", e);
            }
            committed = pending;
            pending = null;
            executed = null;
            checkState = committed.copy();
            results = pendingResults;
            pendingResults = List.of();
            height = committed.height();
        }
        for (CommitListener l : listeners) {
            try {
                l.committed(height, results);
            } catch (RuntimeException e) {
                LOG.error("commit listener failed", e);
            }
        }
        return ResponseCommit.newBuilder().build();
    }
}
