package chainkm.gateway.ledger;

import chainkm.gateway.fuzz.Scratch;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.sets.Assignment;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tendermint.abci.Types.RequestCommit;
import tendermint.abci.Types.RequestFinalizeBlock;
import tendermint.abci.Types.RequestInitChain;
import tendermint.abci.Types.ResponseFinalizeBlock;

/**
 * A ledger the contracts' fuzz target starts every input from, built the same on every run
 * (fixed keys, fixed nonces) by the real application, block by block: four gateways; devices A
 * (activated, joined through gateway 1) and B (joined through gateway 2), C (enrolled) ; a policy
 * of an owner for A, and a token of client 2 under it. {@link #seedTransactions} are transactions
 * each of which this ledger accepts, one per kind of operation.
 */
final class FuzzLedger {
    static final String A = "dev-a";
    static final String B = "dev-b";
    static final String C = "dev-c";
    static final String D = "dev-d";
    static final int NODE_A = 101;
    static final int NODE_B = 102;

    private static final Ed25519.KeyPair[] GATEWAYS = {key(1), key(2), key(3), key(4)};
    /** Signs as a gateway that is not in the consortium. */
    static final Ed25519.KeyPair STRANGER = key(9);
    private static final Ed25519.KeyPair ENROLL_A = key(0x31);
    private static final Ed25519.KeyPair IDENTITY_A = key(0x41);
    private static final Ed25519.KeyPair ENROLL_B = key(0x32);
    private static final Ed25519.KeyPair ENROLL_C = key(0x33);
    private static final Ed25519.KeyPair IDENTITY_C = key(0x43);
    private static final Ed25519.KeyPair ENROLL_D = key(0x34);
    private static final Ed25519.KeyPair OWNER = key(0x51);
    private static final Ed25519.KeyPair CLIENT = key(0x52);
    private static final Ed25519.KeyPair CLIENT_2 = key(0x53);
    private static final byte[] SEED_A = filled(32, 0x5a);
    private static final byte[] SEED_B = filled(32, 0x5b);
    private static final byte[] SEED_C = filled(32, 0x5c);
    private static final Aif SCOPE = new Aif(List.of(new Aif.Entry("/temp", Aif.GET), new Aif.Entry("/led", Aif.GET | Aif.PUT)));

    private final LedgerApp app;
    private final Policy policy;
    private final TokenRequest grantedRequest;
    private int nonce;

    private FuzzLedger() throws IOException {
        app = new LedgerApp(new StateStore(Scratch.directory("ledger")));
        StringBuilder json = new StringBuilder("{\"gateways\":[");
        for (int g = 1; g <= GATEWAYS.length; g++) {
            json.append(g > 1 ? "," : "").append("{\"id\":").append(g).append(",\"public_key\":\"")
                    .append(Base64.getEncoder().encodeToString(gateway(g).publicKey())).append("\"}");
        }
        app.initChain(RequestInitChain.newBuilder().setChainId("chainkm-fuzz")
                .setAppStateBytes(ByteString.copyFromUtf8(json.append("]}").toString())).build());
        commit(enroll(A, ENROLL_A, 1), enroll(B, ENROLL_B, 2), enroll(C, ENROLL_C, 1));
        commit(activate(A, ENROLL_A, IDENTITY_A, 1));
        commit(join(A, NODE_A, RejoinChain.anchor(SEED_A), IDENTITY_A, 1));
        commit(join(B, NODE_B, RejoinChain.anchor(SEED_B), ENROLL_B, 2));
        policy = Policy.sign(OWNER, A, SCOPE, 100, List.of(CLIENT.publicKey(), CLIENT_2.publicKey()), filled(16, 0x70));
        commit(tx(blank(Operation.POLICY_PUT), 1, policy.encode()));
        grantedRequest = TokenRequest.sign(CLIENT_2, policy.id(), A, Aif.of("/temp", Aif.GET), 100, filled(16, 0x71), null);
        commit(tx(blank(Operation.TOKEN_REQUEST), 3, grantedRequest.encode()));
    }

    private static final class Holder {
        static final FuzzLedger LEDGER;

        static {
            try {
                LEDGER = new FuzzLedger();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static FuzzLedger get() {
        return Holder.LEDGER;
    }

    /** A copy of the committed state, for one input to change. */
    LedgerState state() {
        return app.readCommitted(LedgerState::copy);
    }

    static Ed25519.KeyPair gateway(int id) {
        return GATEWAYS[id - 1];
    }

    static Ed25519.KeyPair key(int n) {
        return Ed25519.KeyPair.fromPrivateKey(filled(32, n));
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private void commit(byte[]... txs) {
        long height = app.readCommitted(LedgerState::height) + 1;
        RequestFinalizeBlock.Builder b = RequestFinalizeBlock.newBuilder().setHeight(height);
        for (byte[] tx : txs) {
            b.addTxs(ByteString.copyFrom(tx));
        }
        ResponseFinalizeBlock r = app.finalizeBlock(b.build());
        for (int i = 0; i < txs.length; i++) {
            if (r.getTxResults(i).getCode() != 0) {
                throw new IllegalStateException("the fuzz ledger's block " + height + " refused: " + r.getTxResults(i).getLog());
            }
        }
        app.commit(RequestCommit.getDefaultInstance());
    }

    private byte[] refresh() {
        return filled(ChangeRecord.REFRESH_KEY_SIZE, ++nonce);
    }

    private ChangeRecord blank(Operation op) {
        return new ChangeRecord(op, 0, 0, new byte[ChangeRecord.HASH_SIZE], refresh());
    }

    private static byte[] tx(ChangeRecord r, int gateway, byte[] extension) {
        return LedgerTx.sign(r, gateway, extension, gateway(gateway)).encode();
    }

    private byte[] enroll(String name, Ed25519.KeyPair enrollment, int gw) {
        return tx(blank(Operation.ENROLL), gw, new DeviceEnrollment(name, enrollment.publicKey()).encode());
    }

    private byte[] activate(String name, Ed25519.KeyPair enrollment, Ed25519.KeyPair identity, int gw) {
        return tx(blank(Operation.ACTIVATE), gw, IdentityActivation.sign(name, enrollment, identity).encode());
    }

    private byte[] join(String name, int node, byte[] commitment, Ed25519.KeyPair key, int gw) {
        int set = app.readCheckState(s -> Assignment.selectSet(s.layout(), gw));
        return tx(new ChangeRecord(Operation.JOIN, node, set, commitment, refresh()), gw,
                DeviceAuthorization.forJoin(name, commitment, key).encode());
    }

    private int setOf(int node) {
        return app.readCommitted(s -> s.member(node).orElseThrow().setId());
    }

    private ChangeRecord member(Operation op, int node, byte[] hash, byte[] refresh) {
        return new ChangeRecord(op, node, setOf(node), hash, refresh);
    }

    /** One accepted transaction per kind of operation, by name. */
    Map<String, byte[]> seedTransactions() {
        nonce = 100; // the same nonces on every call
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] anchorA = RejoinChain.anchor(SEED_A);
        out.put("enroll", enroll(D, ENROLL_D, 3));
        out.put("activate", activate(C, ENROLL_C, IDENTITY_C, 1));
        out.put("join", join(C, 103, RejoinChain.anchor(SEED_C), ENROLL_C, 1));
        out.put("leave", tx(member(Operation.LEAVE, NODE_A, anchorA, refresh()), 1,
                DeviceAuthorization.forLeave(A, NODE_A, IDENTITY_A).encode()));
        out.put("evict-by-owner", tx(member(Operation.EVICT, NODE_B, RejoinChain.anchor(SEED_B), refresh()), 2, null));
        byte[] evictNonce = refresh();
        out.put("evict-cosigned", tx(member(Operation.EVICT, NODE_A, anchorA, evictNonce), 3, Cosignatures.extension(List.of(
                Eviction.cosign(2, gateway(2), NODE_A, evictNonce), Eviction.cosign(4, gateway(4), NODE_A, evictNonce)))));
        out.put("rejoin", tx(member(Operation.REJOIN, NODE_A, RejoinChain.proof(SEED_A, 1), refresh()), 3, null));
        byte[] newAnchor = RejoinChain.anchor(filled(32, 0x6e));
        out.put("reanchor", tx(member(Operation.REJOIN, NODE_A, newAnchor, refresh()), 3,
                DeviceAuthorization.forReanchor(A, NODE_A, newAnchor, IDENTITY_A).encode()));
        byte[] removalNonce = refresh();
        out.put("remove-gateway", tx(new ChangeRecord(Operation.REMOVE_GATEWAY, 2, 0, new byte[32], removalNonce), 1,
                Cosignatures.extension(List.of(GatewayRemoval.cosign(3, gateway(3), 2, removalNonce),
                        GatewayRemoval.cosign(4, gateway(4), 2, removalNonce)))));
        out.put("renew", tx(new ChangeRecord(Operation.RENEW, 0, setOf(NODE_A), new byte[32], refresh()), 1, null));
        out.put("policy-put", tx(blank(Operation.POLICY_PUT), 2,
                Policy.sign(OWNER, B, Aif.of("/other", Aif.GET), 50, null, filled(16, 0x72)).encode()));
        out.put("policy-remove", tx(blank(Operation.POLICY_REMOVE), 2, PolicyRemoval.sign(OWNER, policy.id()).encode()));
        out.put("token-request", tx(blank(Operation.TOKEN_REQUEST), 4, TokenRequest.sign(CLIENT, policy.id(), A,
                Aif.of("/led", Aif.PUT), 10, filled(16, 0x73), null).encode()));
        out.put("token-delete", tx(blank(Operation.TOKEN_DELETE), 4,
                TokenDeletion.sign(CLIENT_2, grantedRequest.cti()).encode()));
        return out;
    }

    /** A transaction's content without its signature: what the fuzz target signs (see ContractsFuzzTest). */
    static byte[] unsigned(byte[] tx) {
        ByteBuffer in = ByteBuffer.wrap(tx);
        in.position(1 + ChangeRecord.SIZE);
        int gateway = Short.toUnsignedInt(in.getShort());
        int extLength = in.getInt();
        return ByteBuffer.allocate(2 + ChangeRecord.SIZE + extLength).put((byte) 1).put((byte) gateway)
                .put(tx, 1, ChangeRecord.SIZE).put(tx, 1 + ChangeRecord.SIZE + 2 + 4, extLength).array();
    }
}
