package chainkm.protocol.fuzz;

import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.CoseKey;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.d2d.NodeIdentity;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.identity.IdentityActivation;
import chainkm.protocol.identity.JoinRequest;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.GatewayRemoval;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Rejoin;
import chainkm.protocol.rekey.RekeyMessage;
import java.util.Arrays;
import java.util.List;

/**
 * Real encodings of every message the fuzz targets read, made with fixed keys and nonces so that
 * they are the same on every run: the seed corpora ({@link SeedCorpus}) and the keys the targets
 * open and verify with. None of these keys protects anything.
 */
final class Samples {
    static final Ed25519.KeyPair GATEWAY_1 = key(1);
    static final Ed25519.KeyPair GATEWAY_2 = key(2);
    static final Ed25519.KeyPair GATEWAY_3 = key(3);
    static final Ed25519.KeyPair DEVICE = key(11);
    static final Ed25519.KeyPair ENROLLMENT = key(12);
    static final Ed25519.KeyPair OWNER = key(21);
    static final Ed25519.KeyPair CLIENT = key(22);
    /** The KEK rekey messages are sealed under and the pairwise key D2D messages are sealed under. */
    static final byte[] KEK = filled(16, 0x4b);
    static final byte[] D2D_KEY = filled(16, 0x44);
    static final String NAME = "kitchen-1";
    static final byte[] SEED = filled(32, 0x5e);
    static final byte[] COMMITMENT = RejoinChain.anchor(SEED);
    static final Aif SCOPE = new Aif(List.of(new Aif.Entry("/temp", Aif.GET), new Aif.Entry("/led", Aif.GET | Aif.PUT)));

    private Samples() {}

    static Ed25519.KeyPair key(int n) {
        return Ed25519.KeyPair.fromPrivateKey(filled(32, n));
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** {@code rest} preceded by one byte: the selector of targets that read several formats. */
    static byte[] selected(int selector, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = (byte) selector;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    // --- ledger transactions, one per operation -------------------------------------------------

    static ChangeRecord record(Operation op, int node, int set, byte[] hash, int refresh) {
        return new ChangeRecord(op, node, set, hash, filled(16, refresh));
    }

    static LedgerTx tx(ChangeRecord record, byte[] extension) {
        return LedgerTx.sign(record, 1, extension, GATEWAY_1);
    }

    static List<LedgerTx> transactions() {
        byte[] zero = new byte[32];
        byte[] nonce = filled(16, 0x33);
        List<Cosignatures.Cosignature> evictCosigs = List.of(Eviction.cosign(2, GATEWAY_2, 101, nonce),
                Eviction.cosign(3, GATEWAY_3, 101, nonce));
        List<Cosignatures.Cosignature> removalCosigs = List.of(GatewayRemoval.cosign(2, GATEWAY_2, 4, nonce),
                GatewayRemoval.cosign(3, GATEWAY_3, 4, nonce));
        byte[] newAnchor = RejoinChain.anchor(filled(32, 0x6e));
        return List.of(
                tx(record(Operation.ENROLL, 0, 0, zero, 1), new DeviceEnrollment(NAME, ENROLLMENT.publicKey()).encode()),
                tx(record(Operation.ACTIVATE, 0, 0, zero, 2), IdentityActivation.sign(NAME, ENROLLMENT, DEVICE).encode()),
                tx(record(Operation.JOIN, 101, 1, COMMITMENT, 3),
                        DeviceAuthorization.forJoin(NAME, COMMITMENT, DEVICE).encode()),
                tx(record(Operation.LEAVE, 101, 1, COMMITMENT, 4), DeviceAuthorization.forLeave(NAME, 101, DEVICE).encode()),
                tx(record(Operation.EVICT, 101, 1, COMMITMENT, 5), null),
                tx(new ChangeRecord(Operation.EVICT, 101, 1, COMMITMENT, nonce), Cosignatures.extension(evictCosigs)),
                tx(record(Operation.REJOIN, 101, 1, RejoinChain.proof(SEED, 1), 6), null),
                tx(record(Operation.REJOIN, 101, 1, newAnchor, 7),
                        DeviceAuthorization.forReanchor(NAME, 101, newAnchor, DEVICE).encode()),
                removal(),
                tx(record(Operation.RENEW, 0, 1, zero, 8), null),
                tx(record(Operation.POLICY_PUT, 0, 0, zero, 9), policy().encode()),
                tx(record(Operation.POLICY_PUT, 0, 0, zero, 10), voucherPolicy().encode()),
                tx(record(Operation.POLICY_REMOVE, 0, 0, zero, 11), PolicyRemoval.sign(OWNER, policy().id()).encode()),
                tx(record(Operation.TOKEN_REQUEST, 0, 0, zero, 12), tokenRequest().encode()),
                tx(record(Operation.TOKEN_REQUEST, 0, 0, zero, 13), voucherTokenRequest().encode()),
                tx(record(Operation.TOKEN_DELETE, 0, 0, zero, 14), tokenDeletion().encode()),
                tx(record(Operation.TOKEN_DELETE, 0, 0, zero, 15), cosignedTokenDeletion().encode()));
    }

    /** Gateway 4 removed by gateway 1, co-signed by 2 and 3. */
    static LedgerTx removal() {
        byte[] nonce = filled(16, 0x33);
        return tx(new ChangeRecord(Operation.REMOVE_GATEWAY, 4, 0, new byte[32], nonce), Cosignatures.extension(List.of(
                GatewayRemoval.cosign(2, GATEWAY_2, 4, nonce), GatewayRemoval.cosign(3, GATEWAY_3, 4, nonce))));
    }

    // --- authorization statements ------------------------------------------------------------------

    static Policy policy() {
        return Policy.sign(OWNER, NAME, SCOPE, 100, List.of(CLIENT.publicKey(), DEVICE.publicKey()), filled(16, 0x70));
    }

    static Policy voucherPolicy() {
        return Policy.sign(OWNER, NAME, SCOPE, 100, null, filled(16, 0x71));
    }

    static Voucher voucher() {
        return Voucher.sign(OWNER, voucherPolicy().id(), CLIENT.publicKey(), 500);
    }

    static TokenRequest tokenRequest() {
        return TokenRequest.sign(CLIENT, policy().id(), NAME, Aif.of("/temp", Aif.GET), 10, filled(16, 0x72), null);
    }

    static TokenRequest voucherTokenRequest() {
        return TokenRequest.sign(CLIENT, voucherPolicy().id(), NAME, SCOPE, 20, filled(16, 0x73), voucher().encode());
    }

    static AccessToken token() {
        return tokenRequest().grant(40);
    }

    static TokenDeletion tokenDeletion() {
        return TokenDeletion.sign(CLIENT, token().cti());
    }

    static TokenDeletion cosignedTokenDeletion() {
        byte[] m = TokenDeletion.cosignedMessage(token().cti());
        return TokenDeletion.cosigned(token().cti(), List.of(Cosignatures.cosign(2, GATEWAY_2, m),
                Cosignatures.cosign(3, GATEWAY_3, m)));
    }

    static byte[] coseKey() {
        return CoseKey.encode(CLIENT.publicKey());
    }

    // --- device <-> gateway over CoAP ------------------------------------------------------------

    static JoinRequest joinRequest() {
        return JoinRequest.sign(NAME, COMMITMENT, DEVICE);
    }

    static LeaveRequest leaveRequest() {
        return LeaveRequest.sign(NAME, 101, DEVICE);
    }

    static Rejoin.Request rejoinRequest() {
        return new Rejoin.Request(101, 17, RejoinChain.proof(SEED, 1));
    }

    static Rejoin.Reanchor reanchor() {
        byte[] anchor = RejoinChain.anchor(filled(32, 0x6e));
        return new Rejoin.Reanchor(101, 17, anchor,
                DeviceAuthorization.forReanchor(NAME, 101, anchor, DEVICE).signature());
    }

    static Rejoin.Answer rejoinAnswer() {
        return new Rejoin.Answer(2, 101, filled(16, 0x61));
    }

    static MqttCredential mqttCredential() {
        return MqttCredential.of(NAME, "s3cret-Pa55word");
    }

    static NodeIdentity nodeIdentity() {
        return new NodeIdentity(101, NAME, DEVICE.publicKey());
    }

    static JoinBundle joinBundle() {
        return new JoinBundle(1, 101, 1, 9, COMMITMENT, List.of(
                new KeyMaterial(KeyId.nodeKey(101), filled(16, 1), 9),
                new KeyMaterial(KeyId.setKey(1), filled(16, 2), 9),
                new KeyMaterial(KeyId.pairwiseNodeKey(101, 102), filled(16, 3), 9),
                new KeyMaterial(KeyId.pairwiseSetKey(1, 2), filled(16, 4), 9)));
    }

    // --- rekey messages ---------------------------------------------------------------------------------

    /** Every kind of key update, in one list. */
    static List<KeyUpdate> updates() {
        return List.of(KeyUpdate.wipe(), KeyUpdate.set(2), KeyUpdate.put(KeyId.setKey(2), filled(16, 5), false),
                KeyUpdate.put(KeyId.pairwiseNodeKey(101, 103), filled(16, 6), true), KeyUpdate.roll(KeyId.nodeKey(101)),
                KeyUpdate.delete(KeyId.pairwiseSetKey(1, 2)));
    }

    static RekeyMessage setMessage() {
        return RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 1, 42, 1, Operation.LEAVE, 103, 1,
                filled(16, 0x52), List.of(104, 105)), updates(), KEK, GATEWAY_1);
    }

    static RekeyMessage nodeMessage() {
        return RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 1, 43, 101, Operation.REMOVE_GATEWAY,
                4, 0, filled(16, 0x53), List.of(), List.of(removal().encode())), updates(), KEK, GATEWAY_1);
    }

    /** The header of the message the {@code updates} target puts its fuzzed plaintext into. */
    static final RekeyMessage.Header FRAME = new RekeyMessage.Header(RekeyMessage.Kind.SET, 1, 44, 1, Operation.JOIN,
            106, 1, filled(16, 0x54), List.of());

    // --- D2D -----------------------------------------------------------------------------------------------

    static D2DMessage d2dUnderNodeKey() {
        return D2DMessage.seal(101, 102, KeyId.pairwiseNodeKey(101, 102), 9, 7, D2D_KEY, "21.5 C".getBytes());
    }

    static D2DMessage d2dUnderSetKey() {
        return D2DMessage.seal(101, 201, KeyId.pairwiseSetKey(1, 2), 9, 8, D2D_KEY, "on".getBytes(), DEVICE);
    }
}
