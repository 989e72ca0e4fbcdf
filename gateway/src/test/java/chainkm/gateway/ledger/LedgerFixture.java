package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.Assignment;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseProcessProposal;

/** A ledger app of a consortium of gateways 1..n, driven block by block, for the contracts' tests. */
final class LedgerFixture {
    private static final SecureRandom RANDOM = new SecureRandom();
    final LedgerApp app;
    private final List<Ed25519.KeyPair> keys = new ArrayList<>();

    LedgerFixture(Path dir, int gateways) throws Exception {
        StringBuilder json = new StringBuilder("{\"gateways\":[");
        for (int g = 1; g <= gateways; g++) {
            keys.add(Ed25519.KeyPair.generate(RANDOM));
            json.append(g > 1 ? "," : "").append("{\"id\":").append(g).append(",\"public_key\":\"")
                    .append(Base64.getEncoder().encodeToString(keys.get(g - 1).publicKey())).append("\"}");
        }
        app = new LedgerApp(new StateStore(dir));
        app.initChain(RequestInitChain.newBuilder().setChainId("t")
                .setAppStateBytes(ByteString.copyFromUtf8(json.append("]}").toString())).build());
    }

    Ed25519.KeyPair key(int gateway) {
        return keys.get(gateway - 1);
    }

    int checkTx(byte[] tx) {
        return app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx)).setType(CheckTxType.NEW).build())
                .getCode();
    }

    ResponseFinalizeBlock block(byte[]... txs) {
        long h = app.readCommitted(LedgerState::height) + 1;
        RequestFinalizeBlock.Builder b = RequestFinalizeBlock.newBuilder().setHeight(h);
        for (byte[] tx : txs) {
            b.addTxs(ByteString.copyFrom(tx));
        }
        ResponseFinalizeBlock r = app.finalizeBlock(b.build());
        app.commit(RequestCommit.getDefaultInstance());
        return r;
    }

    /** Commits {@code txs} in one block; each must be accepted. */
    void commit(byte[]... txs) {
        ResponseFinalizeBlock r = block(txs);
        for (int i = 0; i < txs.length; i++) {
            assertEquals(0, r.getTxResults(i).getCode(), r.getTxResults(i).getLog());
        }
    }

    /** The device enrolled by gateway {@code gw}. */
    TestDevice enrolled(int gw) {
        TestDevice d = new TestDevice();
        commit(d.enroll(gw, key(gw)));
        return d;
    }

    /** The device's join through {@code gw} as {@code nodeId}, in the set Assignment gives now. */
    LedgerTx join(TestDevice d, int nodeId, int gw) {
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), gw));
        return d.join(nodeId, set, gw, key(gw));
    }

    NodeRecord member(int nodeId) {
        return app.readCommitted(s -> s.member(nodeId).orElseThrow());
    }

    DeviceIdentity identity(String name) {
        return app.readCommitted(s -> s.identity(name).orElseThrow());
    }

    /** An evict of member {@code nodeId}, signed by {@code gw}, with {@code extension} (null: none). */
    byte[] evict(int nodeId, int gw, byte[] refreshKey, byte[] extension) {
        NodeRecord m = member(nodeId);
        return LedgerTx.sign(new ChangeRecord(Operation.EVICT, nodeId, m.setId(), m.secretCodeHash(), refreshKey), gw,
                extension, key(gw)).encode();
    }

    String query(String path, String data) {
        var r = app.query(RequestQuery.newBuilder().setPath(path).setData(ByteString.copyFromUtf8(data)).build());
        return r.getCode() == 0 ? r.getValue().toString(StandardCharsets.UTF_8) : "error " + r.getCode() + ": " + r.getLog();
    }

    /** What a refused transaction must leave as it was: layout, members, identities, operations, consortium. */
    List<Object> snapshot() {
        return app.readCommitted(s -> {
            List<Object> out = new ArrayList<>();
            out.add(Hex.encode(s.layout().encode()));
            TreeMap<Integer, String> members = new TreeMap<>();
            s.members().forEach((id, m) -> members.put(id, m.setId() + "/" + Hex.encode(m.secretCodeHash()) + "/"
                    + m.gatewayId() + "/" + m.attachedGateway() + "/" + m.identity()));
            out.add(members);
            out.add(new TreeMap<>(s.identities()));
            out.add(s.refreshEntryCount());
            out.add(s.consortium().keys().keySet().toString());
            return out;
        });
    }

    /** {@code tx} is refused with {@code code} by CheckTx, ProcessProposal and in a block, and changes nothing. */
    void assertRefused(TxCode code, byte[] tx, String what) {
        List<Object> before = snapshot();
        assertEquals(code.code(), checkTx(tx), "CheckTx of " + what);
        assertEquals(ResponseProcessProposal.ProposalStatus.REJECT, app.processProposal(RequestProcessProposal.newBuilder()
                .setHeight(app.readCommitted(LedgerState::height) + 1).addTxs(ByteString.copyFrom(tx)).build())
                .getStatus(), "ProcessProposal of " + what);
        ResponseFinalizeBlock r = block(tx);
        assertEquals(code.code(), r.getTxResults(0).getCode(), "FinalizeBlock of " + what + ": " + r.getTxResults(0).getLog());
        assertEquals(TxCode.CODESPACE, r.getTxResults(0).getCodespace());
        assertEquals(true, r.getTxResults(0).getLog().startsWith(code.name()), "the log names the reason");
        assertEquals(before, snapshot(), "state changed by " + what);
    }
}
