package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.sets.Assignment;
import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tendermint.abci.Types.CheckTxType;
import tendermint.abci.Types.RequestCheckTx;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;

/** Removing a gateway from the consortium takes more than two thirds of it; afterwards its transactions are refused. */
class GatewayRemovalTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<Ed25519.KeyPair> keys = new ArrayList<>();
    @TempDir
    Path dir;
    private LedgerApp app;

    @BeforeEach
    void fourGateways() throws Exception {
        StringBuilder json = new StringBuilder("{\"gateways\":[");
        for (int g = 1; g <= 4; g++) {
            keys.add(Ed25519.KeyPair.generate(RANDOM));
            json.append(g > 1 ? "," : "").append("{\"id\":").append(g).append(",\"public_key\":\"")
                    .append(Base64.getEncoder().encodeToString(keys.get(g - 1).publicKey())).append("\"}");
        }
        app = new LedgerApp(new StateStore(dir));
        app.initChain(RequestInitChain.newBuilder().setChainId("t")
                .setAppStateBytes(ByteString.copyFromUtf8(json.append("]}").toString())).build());
    }

    private Ed25519.KeyPair key(int g) {
        return keys.get(g - 1);
    }

    private byte[] removal(int removed, int submitter, int... cosigners) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        List<Cosignatures.Cosignature> cs = new ArrayList<>();
        for (int c : cosigners) {
            cs.add(GatewayRemoval.cosign(c, key(c), removed, nonce));
        }
        return LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, removed, 0, new byte[32], nonce), submitter,
                Cosignatures.extension(cs), key(submitter)).encode();
    }

    private boolean consortiumHas(int g) {
        return app.readCommitted(s -> s.consortium().contains(g));
    }

    private int checkTx(byte[] tx) {
        return app.checkTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx)).setType(CheckTxType.NEW).build())
                .getCode();
    }

    private int block(byte[] tx) {
        long h = app.readCommitted(LedgerState::height) + 1;
        int code = app.finalizeBlock(RequestFinalizeBlock.newBuilder().setHeight(h).addTxs(ByteString.copyFrom(tx)).build())
                .getTxResults(0).getCode();
        app.commit(RequestCommit.getDefaultInstance());
        return code;
    }

    /** A new device's join through gateway {@code g} (its identity enrolled through gateway 1 beforehand). */
    private byte[] joinFrom(int g) {
        TestDevice device = new TestDevice();
        assertEquals(0, block(device.enroll(1, key(1))));
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), g));
        return device.join(1 + RANDOM.nextInt(1_000_000), set, g, key(g)).encode();
    }

    @Test
    void twoGatewaysOfFourAreNotEnoughAndForgedOrForeignSignaturesDoNotCount() {
        assertEquals(3, Cosignatures.quorum(4));
        assertEquals(TxCode.NO_QUORUM.code(), checkTx(removal(4, 1, 2)), "two signers of four");
        assertEquals(TxCode.NO_QUORUM.code(), checkTx(removal(4, 1, 2, 4)), "the removed gateway does not count");
        assertEquals(TxCode.NO_QUORUM.code(), checkTx(removal(4, 4, 1, 2)), "nor when it submits");
        byte[] nonce = new byte[16];
        List<Cosignatures.Cosignature> forged = List.of(GatewayRemoval.cosign(2, key(2), 4, nonce),
                GatewayRemoval.cosign(3, Ed25519.KeyPair.generate(RANDOM), 4, nonce));
        byte[] withForgery = LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, 4, 0, new byte[32], nonce), 1,
                Cosignatures.extension(forged), key(1)).encode();
        assertEquals(TxCode.NO_QUORUM.code(), checkTx(withForgery), "a forged co-signature");
        byte[] otherNonce = new byte[16];
        otherNonce[0] = 1;
        List<Cosignatures.Cosignature> stale = List.of(GatewayRemoval.cosign(2, key(2), 4, otherNonce),
                GatewayRemoval.cosign(3, key(3), 4, otherNonce));
        byte[] replayed = LedgerTx.sign(new ChangeRecord(Operation.REMOVE_GATEWAY, 4, 0, new byte[32], nonce), 1,
                Cosignatures.extension(stale), key(1)).encode();
        assertEquals(TxCode.NO_QUORUM.code(), checkTx(replayed), "signatures over another removal");
        assertEquals(TxCode.NO_QUORUM.code(), block(removal(4, 1, 2)), "also refused in a block");
        assertTrue(consortiumHas(4));
    }

    private java.util.Map<Integer, byte[]> genesisKeys() {
        java.util.Map<Integer, byte[]> out = new java.util.TreeMap<>();
        for (int g = 1; g <= 4; g++) {
            out.put(g, key(g).publicKey());
        }
        return out;
    }

    @Test
    void aRemovalOfAGatewayWithoutSetsIsKeptTooAndSurvivesARestart() throws Exception {
        byte[] removal = removal(3, 1, 2, 4);
        assertEquals(0, block(removal), "gateway 3 owns no set: no key operation, but a removal all the same");
        assertEquals(0, (int) app.readCommitted(LedgerState::refreshEntryCount));
        LedgerApp restarted = new LedgerApp(new StateStore(dir));
        List<RemovalEntry> kept = restarted.readCommitted(LedgerState::removals);
        assertEquals(1, kept.size());
        assertArrayEquals(removal, kept.get(0).tx());
        assertEquals(3, (int) restarted.readCommitted(s -> s.consortium().size()));
        assertEquals(4, (int) restarted.readCommitted(s -> s.consortium().successorOf(2)),
                "the successor rule skips the removed gateway, as devices do from the proofs");
    }

    @Test
    void aQuorumRemovesAGatewayWhoseLaterTransactionsAreRefused() throws Exception {
        assertEquals(0, block(joinFrom(4)), "gateway 4 can join devices before");
        byte[] removal = removal(4, 1, 2, 3);
        assertEquals(0, block(removal));
        long removedAt = app.readCommitted(LedgerState::height);
        assertFalse(consortiumHas(4));
        // the committed transaction is kept, byte for byte, for the adopter to prove the removal to devices
        List<RemovalEntry> kept = app.readCommitted(LedgerState::removals);
        assertEquals(1, kept.size());
        assertArrayEquals(removal, kept.get(0).tx());
        assertEquals(removedAt, kept.get(0).height(), "kept with the height of its block");
        assertTrue(chainkm.protocol.ledger.RemovalProof.decode(kept.get(0).tx()).provenIn(genesisKeys()));
        assertEquals(3, (int) app.readCommitted(s -> s.consortium().size()));
        assertEquals(TxCode.UNKNOWN_GATEWAY.code(), checkTx(joinFrom(4)), "a removed gateway can no longer submit");
        assertEquals(TxCode.UNKNOWN_GATEWAY.code(), block(joinFrom(4)));
        assertEquals(TxCode.NOT_A_MEMBER.code(), checkTx(removal(4, 1, 2, 3)), "removed already");
        assertEquals(0, block(joinFrom(2)), "the others go on");
        // the quorum is now of three: two of them are not enough to remove a third
        assertEquals(TxCode.NO_QUORUM.code(), checkTx(removal(3, 1, 2)));
    }
}
