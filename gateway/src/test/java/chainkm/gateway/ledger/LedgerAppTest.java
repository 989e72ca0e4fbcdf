package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.ledger.SecretCode;
import chainkm.protocol.sets.Assignment;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    /** The device behind each node this test joined (its key signs the node's leave). */
    private final Map<Integer, TestDevice> devices = new HashMap<>();

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
        return TestDevice.refreshKey();
    }

    private Ed25519.KeyPair key(int gwId) {
        return gwId == 1 ? gw1 : gw2;
    }

    /**
     * A new device's enrollment and its join through gateway {@code gwId} (1 or 2), the join built
     * on the app's mempool state: {enroll, join}, for one block (the enrollment first).
     */
    private byte[][] enrollAndJoin(LedgerApp a, int gwId) {
        TestDevice d = new TestDevice();
        int set = a.readCheckState(s -> Assignment.selectSet(s.layout(), gwId));
        LedgerTx join = d.join(nextNodeId++, set, gwId, key(gwId));
        devices.put(join.record().nodeId(), d);
        return new byte[][] {d.enroll(gwId, key(gwId)), join.encode()};
    }

    private static int nodeOf(byte[][] enrollAndJoin) throws Exception {
        return LedgerTx.decode(enrollAndJoin[1]).record().nodeId();
    }

    /** The device's own leave, or its set owner's evict, of a member of {@code a}'s committed state. */
    private byte[] departure(LedgerApp a, Operation op, int nodeId) {
        NodeRecord m = a.readCommitted(s -> s.member(nodeId).orElseThrow());
        if (op == Operation.LEAVE) {
            return devices.get(nodeId).leave(m, 1, gw1).encode();
        }
        int owner = a.readCommitted(s -> s.layout().ownerOf(m.setId()));
        return LedgerTx.sign(new ChangeRecord(op, nodeId, m.setId(), m.secretCodeHash(), refreshKey()), owner, null,
                key(owner)).encode();
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
    void joinsAndLeavesAreCommittedAndQueryable() throws Exception {
        byte[][] a = enrollAndJoin(app, 1);
        for (byte[] tx : a) {
            assertEquals(0, checkTx(app, tx));
        }
        byte[][] b = enrollAndJoin(app, 2);
        for (byte[] tx : b) {
            assertEquals(0, checkTx(app, tx));
        }
        ResponseFinalizeBlock r = block(app, a[0], a[1], b[0], b[1]);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, r.getTxResults(i).getCode(), "transaction " + i);
            assertEquals("", r.getTxResults(i).getCodespace(), "transaction " + i);
        }
        assertEquals(2, members(app));
        int nodeA = nodeOf(a);
        String name = devices.get(nodeA).name;
        assertTrue(query(app, "/node", Integer.toString(nodeA)).contains("\"gateway\":1"));
        assertTrue(query(app, "/node", Integer.toString(nodeA)).contains("\"identity\":\"" + name + "\""));
        assertTrue(query(app, "/membership", "").contains("\"members\":2"));
        assertTrue(query(app, "/identity", name).contains("\"state\":\"enrolled\""), query(app, "/identity", name));
        assertTrue(query(app, "/identity", name).contains("\"node\":" + nodeA));
        assertEquals("chainkm_identity", r.getTxResults(1).getEvents(0).getType(), "a join changes its identity");

        byte[] leave = departure(app, Operation.LEAVE, nodeA);
        assertEquals(0, checkTx(app, leave));
        block(app, leave);
        assertEquals(1, members(app));
        assertTrue(query(app, "/node", Integer.toString(nodeA)).startsWith("error " + LedgerQuery.NOT_FOUND));
        assertTrue(query(app, "/identity", name).contains("\"state\":\"revoked\""), "a leave revokes the identity");
        String refresh = query(app, "/refresh", "1-2");
        assertTrue(refresh.contains("\"operation\":\"join\"") && refresh.contains("\"operation\":\"leave\""), refresh);
        assertEquals(3, (int) app.readCommitted(LedgerState::refreshEntryCount), "enrollments are no key operation");
        assertTrue(query(app, "/identity", "nobody").startsWith("error " + LedgerQuery.NOT_FOUND));
    }

    @Test
    void everyBadTransactionHasItsOwnCodeInCheckTxAndInTheBlock() throws Exception {
        byte[][] joined = enrollAndJoin(app, 1);
        block(app, joined);
        int memberId = nodeOf(joined);
        NodeRecord rec = app.readCommitted(s -> s.member(memberId).orElseThrow());
        TestDevice spare = new TestDevice();
        block(app, spare.enroll(1, gw1));
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), 1));
        byte[] good = spare.join(nextNodeId++, set, 1, gw1).encode();

        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {TxCode.EMPTY, new byte[0]});
        cases.add(new Object[] {TxCode.UNSUPPORTED_VERSION, "garbage that is no transaction at all".getBytes()});
        cases.add(new Object[] {TxCode.TRUNCATED, Arrays.copyOf(good, good.length - 10)});
        cases.add(new Object[] {TxCode.TRAILING_BYTES, Arrays.copyOf(good, good.length + 3)});
        byte[] badSig = good.clone();
        badSig[badSig.length - 1] ^= 1;
        cases.add(new Object[] {TxCode.BAD_SIGNATURE, badSig});
        LedgerTx goodTx = LedgerTx.decode(good);
        cases.add(new Object[] {TxCode.BAD_SIGNATURE, LedgerTx.sign(goodTx.record(), 1, goodTx.extension(), gw2).encode()});
        cases.add(new Object[] {TxCode.UNKNOWN_GATEWAY, LedgerTx.sign(goodTx.record(), 9, goodTx.extension(), outsider).encode()});
        cases.add(new Object[] {TxCode.NODE_ID_REUSED, spare.join(memberId, set, 1, gw1).encode()});
        cases.add(new Object[] {TxCode.WRONG_SET, spare.join(99_998, set + 7, 1, gw1).encode()});
        cases.add(new Object[] {TxCode.INVALID_NODE_ID, spare.join(-5, set, 1, gw1).encode()});
        cases.add(new Object[] {TxCode.NOT_A_MEMBER, LedgerTx.sign(new ChangeRecord(Operation.EVICT, 4242, rec.setId(),
                rec.secretCodeHash(), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.SET_MISMATCH, LedgerTx.sign(new ChangeRecord(Operation.EVICT, memberId,
                rec.setId() + 1, rec.secretCodeHash(), refreshKey()), 1, null, gw1).encode()});
        cases.add(new Object[] {TxCode.SECRET_HASH_MISMATCH, LedgerTx.sign(new ChangeRecord(Operation.EVICT, memberId,
                rec.setId(), SecretCode.commitment(SecretCode.generate(RANDOM)), refreshKey()), 1, null, gw1).encode()});

        byte[] layoutBefore = app.readCommitted(s -> s.layout().encode());
        var identitiesBefore = app.readCommitted(s -> new TreeMap<>(s.identities()));
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
            assertEquals(identitiesBefore, app.readCommitted(s -> new TreeMap<>(s.identities())));
            assertEquals(1, members(app));
        }
        assertEquals(cases.stream().map(c -> c[0]).distinct().count(), cases.size() - 1, "codes are distinct per reason");
        assertEquals(0, checkTx(app, good), "and the good one passes");
    }

    @Test
    void prepareProposalDropsWhatTheContractsRefuse() {
        byte[][] ok = enrollAndJoin(app, 1);
        var r = app.prepareProposal(RequestPrepareProposal.newBuilder().setHeight(1).setMaxTxBytes(1 << 20)
                .addTxs(ByteString.copyFromUtf8("garbage")).addTxs(ByteString.copyFrom(ok[1]))
                .addTxs(ByteString.copyFrom(ok[0])).addTxs(ByteString.copyFrom(ok[1]))
                .addTxs(ByteString.copyFrom(ok[1])).build());
        assertEquals(List.of(ByteString.copyFrom(ok[0]), ByteString.copyFrom(ok[1])), r.getTxsList(),
                "a join before its enrollment, and the second copy, are dropped");
    }

    @Test
    void recheckAfterCommitDropsTransactionsTheBlockMadeInvalid() {
        byte[][] a = enrollAndJoin(app, 1);
        assertEquals(0, checkTx(app, a[0]));
        assertEquals(0, checkTx(app, a[1]));
        block(app, a);
        // the same transaction again (e.g. still in another node's mempool): its node id is now used
        int code = app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(a[1]))
                .setType(CheckTxType.RECHECK).build()).getCode();
        assertEquals(TxCode.NODE_ID_REUSED.code(), code);
    }

    @Test
    void restartResumesFromTheLastCommitWithTheSameAppHash() throws Exception {
        for (int i = 0; i < 20; i++) {
            block(app, enrollAndJoin(app, 1 + i % 2));
        }
        // FinalizeBlock without Commit: a crash here must lose that block (CometBFT replays it)
        byte[][] lost = enrollAndJoin(app, 1);
        app.finalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(21).addTxs(ByteString.copyFrom(lost[0]))
                .addTxs(ByteString.copyFrom(lost[1])).build());
        var before = app.info(RequestInfo.getDefaultInstance());
        LedgerApp restarted = new LedgerApp(new StateStore(dir.resolve("a")));
        var after = restarted.info(RequestInfo.getDefaultInstance());
        assertEquals(20, after.getLastBlockHeight());
        assertEquals(before.getLastBlockHeight(), after.getLastBlockHeight());
        assertEquals(before.getLastBlockAppHash(), after.getLastBlockAppHash());
        assertEquals(20, members(restarted));
        assertEquals(20, (int) restarted.readCommitted(s -> s.identities().size()));
        String lostName = devices.get(nodeOf(lost)).name;
        assertTrue(restarted.readCommitted(s -> s.identity(lostName)).isEmpty(), "the uncommitted block's enrollment is gone");
    }

    @Test
    void twoValidatorsGivenTheSameBlocksComputeTheSameAppHash() throws Exception {
        LedgerApp other = newApp(dir.resolve("b"));
        Random random = new Random(3);
        List<Integer> joined = new ArrayList<>();
        for (int h = 0; h < 60; h++) {
            byte[][] block;
            if (!joined.isEmpty() && random.nextInt(4) == 0) {
                int victim = joined.remove(random.nextInt(joined.size()));
                block = new byte[][] {departure(app, random.nextBoolean() ? Operation.LEAVE : Operation.EVICT, victim)};
            } else {
                block = enrollAndJoin(app, 1 + random.nextInt(2));
                joined.add(nodeOf(block));
            }
            var ra = block(app, block);
            var rb = block(other, block);
            assertEquals(ra.getAppHash(), rb.getAppHash(), "height " + (h + 1));
            for (var result : ra.getTxResultsList()) {
                assertEquals(0, result.getCode(), result.getLog());
            }
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
                    byte[] leave = departure(plain, Operation.LEAVE, victim);
                    assertEquals(0, checkTx(plain, leave));
                    txs.add(ByteString.copyFrom(leave));
                } else {
                    byte[][] j = enrollAndJoin(plain, 1);
                    // the next join of the same block must see this one: run it through CheckTx
                    for (byte[] tx : j) {
                        assertEquals(0, checkTx(plain, tx));
                        txs.add(ByteString.copyFrom(tx));
                    }
                    joined.add(nodeOf(j));
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
        byte[] seed = RejoinChain.newSeed(RANDOM);
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), 1));
        TestDevice device = new TestDevice();
        device.commitment = RejoinChain.anchor(seed);
        LedgerTx join = device.join(5150, set, 1, gw1);
        block(app, device.enroll(1, gw1), join.encode());
        byte[] layout = app.readCommitted(s -> s.layout().encode());
        int entries = app.readCommitted(LedgerState::refreshEntryCount);

        byte[] proof1 = RejoinChain.proof(seed, 1);
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
                RejoinChain.proof(seed, 2), refreshKey()), 1, null, gw1);
        assertEquals(0, block(app, second.encode()).getTxResults(0).getCode());

        // an evicted device cannot rejoin, even with a valid next link
        devices.put(5150, device);
        assertEquals(0, block(app, departure(app, Operation.EVICT, 5150)).getTxResults(0).getCode());
        LedgerTx evicted = LedgerTx.sign(new ChangeRecord(Operation.REJOIN, 5150, set,
                RejoinChain.proof(seed, 3), refreshKey()), 2, null, gw2);
        assertEquals(TxCode.NOT_A_MEMBER.code(), checkTx(app, evicted.encode()));
    }

    @Test
    void finalizeBlockForAWrongHeightIsAnError() {
        assertThrows(IllegalStateException.class, () -> app.finalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(5).build()));
    }
}
