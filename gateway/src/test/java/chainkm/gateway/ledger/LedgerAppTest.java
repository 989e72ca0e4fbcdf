package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInfo;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.RequestPrepareProposal;
import tendermint.abci.Types.RequestProcessProposal;
import tendermint.abci.Types.RequestQuery;
import tendermint.abci.Types.ResponseFinalizeBlock;
import tendermint.abci.Types.ResponseProcessProposal;

class LedgerAppTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair gw1 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair gw2 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair outsider = Ed25519.KeyPair.generate(RANDOM);
    @TempDir
    Path dir;
    private LedgerApp app;
    private int nextNodeId = 100;

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

    private static byte[] refreshKey() {
        byte[] r = new byte[16];
        RANDOM.nextBytes(r);
        return r;
    }

    /** A valid join through gateway {@code gw} (id 1 or 2) on the app's mempool state. */
    private LedgerTx join(LedgerApp a, int gwId, Ed25519.KeyPair key) {
        int set = a.readCheckState(s -> Assignment.selectSet(s.layout(), gwId));
        ChangeRecord r = new ChangeRecord(Operation.JOIN, nextNodeId++, set,
                SecretCode.commitment(SecretCode.generate(RANDOM)), refreshKey());
        return LedgerTx.sign(r, gwId, null, key);
    }

    private LedgerTx departure(LedgerApp a, Operation op, int nodeId, int gwId, Ed25519.KeyPair key) {
        NodeRecord m = a.readCommitted(s -> s.member(nodeId).orElseThrow());
        return LedgerTx.sign(new ChangeRecord(op, nodeId, m.setId(), m.secretCodeHash(), refreshKey()), gwId, null, key);
    }

    private int checkTx(LedgerApp a, byte[] tx) {
        return a.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx)).setType(CheckTxType.NEW).build())
                .getCode();
    }

    private ResponseFinalizeBlock block(LedgerApp a, byte[]... txs) {
        long h = a.readCommitted(LedgerState::height) + 1;
        RequestFinalizeBlock.Builder b = RequestFinalizeBlock.newBuilder().setHeight(h);
        for (byte[] tx : txs) {
            b.addTxs(ByteString.copyFrom(tx));
        }
        ResponseFinalizeBlock r = a.finalizeBlock(b.build());
        a.commit(RequestCommit.getDefaultInstance());
        return r;
    }

    private static int members(LedgerApp a) {
        return a.readCommitted(s -> s.members().size());
    }

    private String query(LedgerApp a, String path, String data) {
        var r = a.query(RequestQuery.newBuilder().setPath(path).setData(ByteString.copyFromUtf8(data)).build());
        return r.getCode() == 0 ? r.getValue().toString(StandardCharsets.UTF_8) : "error " + r.getCode() + ": " + r.getLog();
    }

    @Test
    void joinsAndLeavesAreCommittedAndQueryable() {
        LedgerTx a = join(app, 1, gw1);
        assertEquals(0, checkTx(app, a.encode()));
        LedgerTx b = join(app, 2, gw2);
        assertEquals(0, checkTx(app, b.encode()));
        ResponseFinalizeBlock r = block(app, a.encode(), b.encode());
        assertEquals(0, r.getTxResults(0).getCode());
        assertEquals(0, r.getTxResults(1).getCode());
        assertEquals(2, members(app));
        assertTrue(query(app, "/node", Integer.toString(a.record().nodeId())).contains("\"gateway\":1"));
        assertTrue(query(app, "/membership", "").contains("\"members\":2"));

        LedgerTx leave = departure(app, Operation.LEAVE, a.record().nodeId(), 1, gw1);
        assertEquals(0, checkTx(app, leave.encode()));
        block(app, leave.encode());
        assertEquals(1, members(app));
        assertTrue(query(app, "/node", Integer.toString(a.record().nodeId())).startsWith("error " + LedgerQuery.NOT_FOUND));
        String refresh = query(app, "/refresh", "1-2");
        assertTrue(refresh.contains("\"operation\":\"join\"") && refresh.contains("\"operation\":\"leave\""), refresh);
        assertEquals(3, (int) app.readCommitted(LedgerState::refreshEntryCount));
    }

    @Test
    void everyBadTransactionHasItsOwnCodeInCheckTxAndInTheBlock() {
        LedgerTx member = join(app, 1, gw1);
        block(app, member.encode());
        int memberId = member.record().nodeId();
        NodeRecord rec = app.readCommitted(s -> s.member(memberId).orElseThrow());
        byte[] good = join(app, 1, gw1).encode();
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), 1));

        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {TxCode.EMPTY, new byte[0]});
        cases.add(new Object[] {TxCode.UNSUPPORTED_VERSION, "garbage that is no transaction at all".getBytes()});
        cases.add(new Object[] {TxCode.TRUNCATED, Arrays.copyOf(good, good.length - 10)});
        cases.add(new Object[] {TxCode.TRAILING_BYTES, Arrays.copyOf(good, good.length + 3)});
        byte[] badSig = good.clone();
        badSig[badSig.length - 1] ^= 1;
        cases.add(new Object[] {TxCode.BAD_SIGNATURE, badSig});
        cases.add(new Object[] {TxCode.BAD_SIGNATURE, LedgerTx.sign(join(app, 1, gw1).record(), 1, null, gw2).encode()});
        cases.add(new Object[] {TxCode.UNKNOWN_GATEWAY, LedgerTx.sign(join(app, 1, gw1).record(), 9, null, outsider).encode()});
        cases.add(new Object[] {TxCode.NODE_ID_REUSED, LedgerTx.sign(new ChangeRecord(Operation.JOIN, memberId, set,
                SecretCode.commitment(SecretCode.generate(RANDOM)), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.SECRET_HASH_REUSED, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 99_999, set,
                rec.secretCodeHash(), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.WRONG_SET, LedgerTx.sign(new ChangeRecord(Operation.JOIN, 99_998, set + 7,
                SecretCode.commitment(SecretCode.generate(RANDOM)), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.INVALID_NODE_ID, LedgerTx.sign(new ChangeRecord(Operation.JOIN, -5, set,
                SecretCode.commitment(SecretCode.generate(RANDOM)), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.NOT_A_MEMBER, LedgerTx.sign(new ChangeRecord(Operation.LEAVE, 4242, rec.setId(),
                rec.secretCodeHash(), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.SET_MISMATCH, LedgerTx.sign(new ChangeRecord(Operation.EVICT, memberId,
                rec.setId() + 1, rec.secretCodeHash(), refreshKey()), 2, null, gw2).encode()});
        cases.add(new Object[] {TxCode.SECRET_HASH_MISMATCH, LedgerTx.sign(new ChangeRecord(Operation.LEAVE, memberId,
                rec.setId(), SecretCode.commitment(SecretCode.generate(RANDOM)), refreshKey()), 1, null, gw1).encode()});

        byte[] layoutBefore = app.readCommitted(s -> s.layout().encode());
        for (Object[] c : cases) {
            TxCode expected = (TxCode) c[0];
            byte[] tx = (byte[]) c[1];
            assertEquals(expected.code(), checkTx(app, tx), "CheckTx of " + expected);
            ResponseProcessProposal.ProposalStatus status = app.processProposal(RequestProcessProposal.newBuilder()
                    .setHeight(app.readCommitted(LedgerState::height) + 1).addTxs(ByteString.copyFrom(tx)).build()).getStatus();
            assertEquals(ResponseProcessProposal.ProposalStatus.REJECT, status, "ProcessProposal of " + expected);
            ResponseFinalizeBlock r = block(app, tx);
            assertEquals(expected.code(), r.getTxResults(0).getCode(), "FinalizeBlock of " + expected);
            assertEquals(TxCode.CODESPACE, r.getTxResults(0).getCodespace());
            assertArrayEquals(layoutBefore, app.readCommitted(s -> s.layout().encode()), "state changed by " + expected);
            assertEquals(1, members(app));
        }
        assertEquals(cases.stream().map(c -> c[0]).distinct().count(), cases.size() - 1, "codes are distinct per reason");
    }

    @Test
    void prepareProposalDropsWhatTheContractsRefuse() {
        byte[] ok = join(app, 1, gw1).encode();
        var r = app.prepareProposal(RequestPrepareProposal.newBuilder().setHeight(1).setMaxTxBytes(1 << 20)
                .addTxs(ByteString.copyFromUtf8("garbage")).addTxs(ByteString.copyFrom(ok))
                .addTxs(ByteString.copyFrom(ok)).build());
        assertEquals(List.of(ByteString.copyFrom(ok)), r.getTxsList());
    }

    @Test
    void recheckAfterCommitDropsTransactionsTheBlockMadeInvalid() {
        LedgerTx a = join(app, 1, gw1);
        assertEquals(0, checkTx(app, a.encode()));
        block(app, a.encode());
        // the same transaction again (e.g. still in another node's mempool): its node id is now used
        int code = app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(a.encode()))
                .setType(CheckTxType.RECHECK).build()).getCode();
        assertEquals(TxCode.NODE_ID_REUSED.code(), code);
    }

    @Test
    void restartResumesFromTheLastCommitWithTheSameAppHash() throws Exception {
        for (int i = 0; i < 20; i++) {
            block(app, join(app, 1 + i % 2, i % 2 == 0 ? gw1 : gw2).encode());
        }
        // FinalizeBlock without Commit: a crash here must lose that block (CometBFT replays it)
        app.finalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(21).addTxs(ByteString.copyFrom(join(app, 1, gw1).encode())).build());
        var before = app.info(RequestInfo.getDefaultInstance());
        LedgerApp restarted = new LedgerApp(new StateStore(dir.resolve("a")));
        var after = restarted.info(RequestInfo.getDefaultInstance());
        assertEquals(20, after.getLastBlockHeight());
        assertEquals(before.getLastBlockHeight(), after.getLastBlockHeight());
        assertEquals(before.getLastBlockAppHash(), after.getLastBlockAppHash());
        assertEquals(20, members(restarted));
    }

    @Test
    void twoValidatorsGivenTheSameBlocksComputeTheSameAppHash() throws Exception {
        LedgerApp other = newApp(dir.resolve("b"));
        Random random = new Random(3);
        List<Integer> joined = new ArrayList<>();
        for (int h = 0; h < 60; h++) {
            List<byte[]> txs = new ArrayList<>();
            if (!joined.isEmpty() && random.nextInt(4) == 0) {
                int victim = joined.remove(random.nextInt(joined.size()));
                txs.add(departure(app, random.nextBoolean() ? Operation.LEAVE : Operation.EVICT, victim, 2, gw2).encode());
            } else {
                int gw = 1 + random.nextInt(2);
                LedgerTx j = join(app, gw, gw == 1 ? gw1 : gw2);
                joined.add(j.record().nodeId());
                txs.add(j.encode());
            }
            byte[][] block = txs.toArray(new byte[0][]);
            var ra = block(app, block);
            var rb = block(other, block);
            assertEquals(ra.getAppHash(), rb.getAppHash(), "height " + (h + 1));
        }
        assertTrue(members(app) > 0);
        assertArrayEquals(app.readCommitted(LedgerState::encode), other.readCommitted(LedgerState::encode));
    }

    @Test
    void finalizeBlockAfterProposalGivesTheSameResultAsWithout() throws Exception {
        LedgerApp proposer = newApp(dir.resolve("p"));
        LedgerApp voter = newApp(dir.resolve("v"));
        LedgerApp plain = newApp(dir.resolve("q"));
        Random random = new Random(5);
        List<Integer> joined = new ArrayList<>();
        for (int h = 1; h <= 40; h++) {
            List<ByteString> txs = new ArrayList<>();
            List<Integer> committedNodes = new ArrayList<>(joined);
            for (int i = random.nextInt(4); i >= 0; i--) {
                if (!committedNodes.isEmpty() && random.nextInt(3) == 0) {
                    Integer victim = committedNodes.remove(random.nextInt(committedNodes.size()));
                    joined.remove(victim);
                    byte[] leave = departure(plain, Operation.LEAVE, victim, 2, gw2).encode();
                    assertEquals(0, checkTx(plain, leave));
                    txs.add(ByteString.copyFrom(leave));
                } else {
                    LedgerTx j = join(plain, 1, gw1);
                    // the next join of the same block must see this one: run it through CheckTx
                    assertEquals(0, checkTx(plain, j.encode()));
                    joined.add(j.record().nodeId());
                    txs.add(ByteString.copyFrom(j.encode()));
                }
            }
            long height = h;
            var prepared = proposer.prepareProposal(RequestPrepareProposal.newBuilder().setHeight(height)
                    .setMaxTxBytes(1 << 20).addAllTxs(txs).build());
            assertEquals(txs, prepared.getTxsList(), "height " + h);
            assertEquals(ResponseProcessProposal.ProposalStatus.ACCEPT, voter.processProposal(
                    RequestProcessProposal.newBuilder().setHeight(height).addAllTxs(txs).build()).getStatus());
            RequestFinalizeBlock fb = RequestFinalizeBlock.newBuilder().setHeight(height).addAllTxs(txs).build();
            var rp = proposer.finalizeBlock(fb);
            var rv = voter.finalizeBlock(fb);
            var rq = plain.finalizeBlock(fb);
            for (LedgerApp a : List.of(proposer, voter, plain)) {
                a.commit(RequestCommit.getDefaultInstance());
            }
            assertEquals(rq, rp, "height " + h);
            assertEquals(rq, rv, "height " + h);
        }
        assertArrayEquals(plain.readCommitted(LedgerState::encode), proposer.readCommitted(LedgerState::encode));
        assertArrayEquals(plain.readCommitted(LedgerState::encode), voter.readCommitted(LedgerState::encode));
    }

    @Test
    void aRejoinAdvancesTheAnchorWithoutRekeyingAndItsProofCannotBeReplayedOrForged() {
        byte[] seed = chainkm.protocol.ledger.RejoinChain.newSeed(RANDOM);
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), 1));
        LedgerTx join = LedgerTx.sign(new ChangeRecord(Operation.JOIN, 5150, set,
                chainkm.protocol.ledger.RejoinChain.anchor(seed), refreshKey()), 1, null, gw1);
        block(app, join.encode());
        byte[] layout = app.readCommitted(s -> s.layout().encode());
        int entries = app.readCommitted(LedgerState::refreshEntryCount);

        byte[] proof1 = chainkm.protocol.ledger.RejoinChain.proof(seed, 1);
        LedgerTx rejoin = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 5150, set, proof1, refreshKey()), 2, null, gw2);
        assertEquals(0, checkTx(app, rejoin.encode()));
        assertEquals(0, block(app, rejoin.encode()).getTxResults(0).getCode());
        NodeRecord after = app.readCommitted(s -> s.member(5150).orElseThrow());
        assertEquals(2, after.attachedGateway(), "attached to the gateway it rejoined");
        assertArrayEquals(proof1, after.secretCodeHash(), "the anchor moved down the chain");
        assertArrayEquals(layout, app.readCommitted(s -> s.layout().encode()), "a rejoin moves nobody");
        assertEquals(entries, (int) app.readCommitted(LedgerState::refreshEntryCount), "a rejoin rekeys nobody");

        // the same proof again (someone who saw the first rejoin), even through another gateway
        LedgerTx replay = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 5150, set, proof1, refreshKey()), 1, null, gw1);
        assertEquals(TxCode.BAD_REJOIN_PROOF.code(), checkTx(app, replay.encode()));
        assertEquals(TxCode.BAD_REJOIN_PROOF.code(), block(app, replay.encode()).getTxResults(0).getCode());
        // proofs built from what the ledger shows: the current anchor, the join's commitment
        for (byte[] fromLedger : new byte[][] {after.secretCodeHash(), join.record().secretCodeHash()}) {
            LedgerTx forged = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 5150, set, fromLedger, refreshKey()), 1,
                    null, gw1);
            assertEquals(TxCode.BAD_REJOIN_PROOF.code(), checkTx(app, forged.encode()));
        }
        // the next link works
        LedgerTx second = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 5150, set,
                chainkm.protocol.ledger.RejoinChain.proof(seed, 2), refreshKey()), 1, null, gw1);
        assertEquals(0, block(app, second.encode()).getTxResults(0).getCode());

        // an evicted device cannot rejoin, even with a valid next link
        block(app, departure(app, Operation.EVICT, 5150, 1, gw1).encode());
        LedgerTx evicted = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 5150, set,
                chainkm.protocol.ledger.RejoinChain.proof(seed, 3), refreshKey()), 2, null, gw2);
        assertEquals(TxCode.NOT_A_MEMBER.code(), checkTx(app, evicted.encode()));
    }

    @Test
    void finalizeBlockForAWrongHeightIsAnError() {
        assertThrows(IllegalStateException.class, () -> app.finalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(5).build()));
    }
}
