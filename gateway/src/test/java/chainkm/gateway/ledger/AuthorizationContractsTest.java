package chainkm.gateway.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.authz.Aif;
import chainkm.protocol.authz.Cbor;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.authz.Voucher;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.ChangeRecord;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.LedgerTx;
import chainkm.protocol.ledger.Operation;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization contracts on a 4-gateway ledger: each refusal with its own code and no
 * change of state (the state digest covers policies, tokens and revocations).
 */
class AuthorizationContractsTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path dir;
    private LedgerFixture ledger;
    private final Ed25519.KeyPair owner = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair client = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair stranger = Ed25519.KeyPair.generate(RANDOM);
    private final Aif scope = Aif.of("/temp", Aif.GET | Aif.PUT);
    private Policy policy;

    @BeforeEach
    void anOwnersPolicy() throws Exception {
        ledger = new LedgerFixture(dir, 4);
        policy = Policy.sign(owner, "sensor-1", scope, 20, List.of(client.publicKey()), bytes(16));
        ledger.commit(tx(Operation.POLICY_PUT, policy.encode(), 1));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private byte[] tx(Operation op, byte[] extension, int gw) {
        return LedgerTx.sign(new ChangeRecord(op, 0, 0, new byte[32], bytes(16)), gw, extension, ledger.key(gw)).encode();
    }

    private TokenRequest request(Ed25519.KeyPair who, long lifetime) {
        return TokenRequest.sign(who, policy.id(), "sensor-1", Aif.of("/temp", Aif.GET), lifetime, bytes(16), null);
    }

    private boolean holds(java.util.function.Predicate<LedgerState> p) {
        return ledger.app.readCommitted(p::test);
    }

    private byte[] digest() {
        return ledger.app.readCommitted(LedgerState::stateDigest);
    }

    private long height() {
        return ledger.app.readCommitted(LedgerState::height);
    }

    /** Refused with {@code code} everywhere, and the whole state (its digest) unchanged. */
    private void assertRefused(TxCode code, byte[] tx, String what) {
        byte[] before = digest();
        ledger.assertRefused(code, tx, what);
        assertArrayEquals(before, digest(), "state digest changed by " + what);
    }

    private byte[] grant(TokenRequest r) {
        ledger.commit(tx(Operation.TOKEN_REQUEST, r.encode(), 2));
        return r.cti();
    }

    @Test
    void aClientOnTheAllowListIsGrantedATokenBoundToItsKey() throws Exception {
        TokenRequest r = request(client, 10);
        byte[] cti = grant(r);
        long h = height();
        TokenEntry t = ledger.app.readCommitted(s -> s.token(cti).orElseThrow());
        assertEquals("sensor-1", t.token().audience());
        assertEquals(h + 10, t.token().exp());
        assertEquals(h, t.token().iat());
        assertArrayEquals(client.publicKey(), t.token().clientKey());
        assertArrayEquals(policy.id(), t.policyId());
        String json = ledger.query("/authz/token", Hex.encode(cti));
        assertTrue(json.contains("\"state\":\"live\""), json);
        assertTrue(ledger.query("/authz/tokens", Hex.encode(client.publicKey())).contains(Hex.encode(cti)));
        assertTrue(ledger.query("/authz/policy", "").contains(Hex.encode(policy.id())));
        // the state digest still matches one computed from scratch
        ledger.app.readCommitted(s -> {
            assertArrayEquals(s.digestFromScratch(), s.stateDigest());
            return null;
        });
    }

    @Test
    void tokenRequestRefusals() {
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.TOKEN_REQUEST, request(stranger, 5).encode(), 2),
                "a client not on the allow-list");
        assertRefused(TxCode.LIFETIME_TOO_LONG, tx(Operation.TOKEN_REQUEST, request(client, 21).encode(), 2),
                "a lifetime above the policy's");
        TokenRequest wider = TokenRequest.sign(client, policy.id(), "sensor-1", Aif.of("/temp", Aif.DELETE), 5, bytes(16), null);
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.TOKEN_REQUEST, wider.encode(), 2), "a scope beyond the policy's");
        TokenRequest otherDevice = TokenRequest.sign(client, policy.id(), "sensor-2", Aif.of("/temp", Aif.GET), 5, bytes(16), null);
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.TOKEN_REQUEST, otherDevice.encode(), 2), "another audience");
        TokenRequest noPolicy = TokenRequest.sign(client, bytes(32), "sensor-1", Aif.of("/temp", Aif.GET), 5, bytes(16), null);
        assertRefused(TxCode.UNKNOWN_POLICY, tx(Operation.TOKEN_REQUEST, noPolicy.encode(), 2), "an unknown policy");
    }

    @Test
    void aRequestForgedByAGatewayIsRefused() {
        // gateway 2 writes a request naming the client but cannot sign it as the client
        Ed25519.KeyPair gatewayMade = Ed25519.KeyPair.generate(RANDOM);
        byte[] own = TokenRequest.sign(gatewayMade, policy.id(), "sensor-1", Aif.of("/temp", Aif.GET), 5, bytes(16), null)
                .encode();
        byte[] forged = replace(own, gatewayMade.publicKey(), client.publicKey());
        assertRefused(TxCode.BAD_CLIENT_SIGNATURE, tx(Operation.TOKEN_REQUEST, forged, 2), "a request forged by a gateway");
    }

    @Test
    void aReplayedRequestIsRefusedEvenAfterItsTokenIsGone() {
        TokenRequest r = request(client, 5);
        grant(r);
        assertRefused(TxCode.REPLAYED_REQUEST, tx(Operation.TOKEN_REQUEST, r.encode(), 3), "the same request again");
        ledger.commit(tx(Operation.TOKEN_DELETE, TokenDeletion.sign(client, r.cti()).encode(), 1));
        assertRefused(TxCode.REPLAYED_REQUEST, tx(Operation.TOKEN_REQUEST, r.encode(), 3), "after its deletion");
    }

    @Test
    void aSecondLiveTokenUnderThePolicyIsADuplicate() {
        grant(request(client, 5));
        assertRefused(TxCode.DUPLICATE, tx(Operation.TOKEN_REQUEST, request(client, 5).encode(), 2),
                "a second token under the same policy");
    }

    @Test
    void policyRefusals() {
        assertRefused(TxCode.REPLAYED_REQUEST, tx(Operation.POLICY_PUT, policy.encode(), 3), "the same policy again");
        Policy overlap = Policy.sign(owner, "sensor-1", Aif.of("/temp", Aif.GET), 5, null, bytes(16));
        assertRefused(TxCode.DUPLICATE, tx(Operation.POLICY_PUT, overlap.encode(), 3), "a second policy on /temp");
        Policy takeover = Policy.sign(stranger, "sensor-1", Aif.of("/led", Aif.GET), 5, null, bytes(16));
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.POLICY_PUT, takeover.encode(), 3), "another owner's device");
        Policy other = Policy.sign(stranger, "sensor-9", Aif.of("/led", Aif.GET), 5, null, bytes(16));
        byte[] forged = replace(other.encode(), stranger.publicKey(), owner.publicKey());
        assertRefused(TxCode.BAD_OWNER_SIGNATURE, tx(Operation.POLICY_PUT, forged, 3), "a policy not signed by its owner");
        assertRefused(TxCode.BAD_OWNER_SIGNATURE, tx(Operation.POLICY_REMOVE,
                PolicyRemoval.sign(stranger, policy.id()).encode(), 3), "a removal by another key");
        assertRefused(TxCode.UNKNOWN_POLICY, tx(Operation.POLICY_REMOVE, PolicyRemoval.sign(owner, bytes(32)).encode(), 3),
                "the removal of an unknown policy");
    }

    @Test
    void anOwnerRemovesItsPolicyAndNoTokenIsGrantedUnderItAfterwards() {
        PolicyRemoval removal = PolicyRemoval.sign(owner, policy.id());
        ledger.commit(tx(Operation.POLICY_REMOVE, removal.encode(), 4));
        assertRefused(TxCode.UNKNOWN_POLICY, tx(Operation.TOKEN_REQUEST, request(client, 5).encode(), 2),
                "a request under a removed policy");
        assertRefused(TxCode.UNKNOWN_POLICY, tx(Operation.POLICY_REMOVE, removal.encode(), 4), "a replayed removal");
        assertRefused(TxCode.REPLAYED_REQUEST, tx(Operation.POLICY_PUT, policy.encode(), 4), "a replayed put");
    }

    @Test
    void voucherModePolicy() {
        Policy vp = Policy.sign(owner, "sensor-1", Aif.of("/led", Aif.PUT), 10, null, bytes(16));
        ledger.commit(tx(Operation.POLICY_PUT, vp.encode(), 1));
        long h = height();
        byte[] voucher = Voucher.sign(owner, vp.id(), stranger.publicKey(), h + 5).encode();
        TokenRequest none = TokenRequest.sign(stranger, vp.id(), "sensor-1", Aif.of("/led", Aif.PUT), 3, bytes(16), null);
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.TOKEN_REQUEST, none.encode(), 2), "no voucher");
        TokenRequest wrongHolder = TokenRequest.sign(client, vp.id(), "sensor-1", Aif.of("/led", Aif.PUT), 3, bytes(16),
                voucher);
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.TOKEN_REQUEST, wrongHolder.encode(), 2), "another client's voucher");
        byte[] selfMade = Voucher.sign(stranger, vp.id(), stranger.publicKey(), h + 5).encode();
        TokenRequest forged = TokenRequest.sign(stranger, vp.id(), "sensor-1", Aif.of("/led", Aif.PUT), 3, bytes(16),
                selfMade);
        assertRefused(TxCode.BAD_OWNER_SIGNATURE, tx(Operation.TOKEN_REQUEST, forged.encode(), 2), "a self-made voucher");
        byte[] ended = Voucher.sign(owner, vp.id(), stranger.publicKey(), h - 1).encode();
        TokenRequest late = TokenRequest.sign(stranger, vp.id(), "sensor-1", Aif.of("/led", Aif.PUT), 3, bytes(16), ended);
        assertRefused(TxCode.NOT_ALLOWED, tx(Operation.TOKEN_REQUEST, late.encode(), 2), "an ended voucher");
        TokenRequest ok = TokenRequest.sign(stranger, vp.id(), "sensor-1", Aif.of("/led", Aif.PUT), 3, bytes(16), voucher);
        ledger.commit(tx(Operation.TOKEN_REQUEST, ok.encode(), 2));
        assertTrue(holds(s -> s.token(ok.cti()).isPresent()));
    }

    @Test
    void deletionByClientOrOwnerGoesToTheRevocationList() {
        byte[] cti = grant(request(client, 10));
        assertRefused(TxCode.DELETE_NOT_ALLOWED, tx(Operation.TOKEN_DELETE, TokenDeletion.sign(stranger, cti).encode(), 2),
                "a deletion by a stranger");
        byte[] forgedByOwner = replace(TokenDeletion.sign(stranger, cti).encode(), stranger.publicKey(), owner.publicKey());
        assertRefused(TxCode.BAD_OWNER_SIGNATURE, tx(Operation.TOKEN_DELETE, forgedByOwner, 2),
                "a deletion claiming the owner");
        ledger.commit(tx(Operation.TOKEN_DELETE, TokenDeletion.sign(owner, cti).encode(), 2));
        long h = height();
        assertFalse(holds(s -> s.token(cti).isPresent()));
        String trl = ledger.query("/authz/revoked?since=" + h, "");
        assertTrue(trl.contains(Hex.encode(cti)), trl);
        assertFalse(ledger.query("/authz/revoked?since=" + (h + 1), "").contains(Hex.encode(cti)));
        assertTrue(ledger.query("/authz/token", Hex.encode(cti)).contains("\"state\":\"revoked\""));
        assertRefused(TxCode.UNKNOWN_TOKEN, tx(Operation.TOKEN_DELETE, TokenDeletion.sign(client, cti).encode(), 2),
                "a deletion of a deleted token");
    }

    @Test
    void theListingOfAllTokensHasTheLiveOnesAndTheRevocationList() throws Exception {
        byte[] deleted = grant(request(client, 10));
        ledger.commit(tx(Operation.TOKEN_DELETE, TokenDeletion.sign(owner, deleted).encode(), 2));
        long revokedAt = height();
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
        Policy second = Policy.sign(owner, "sensor-1", Aif.of("/led", Aif.PUT), 20, List.of(other.publicKey()), bytes(16));
        ledger.commit(tx(Operation.POLICY_PUT, second.encode(), 1));
        byte[] live = grant(TokenRequest.sign(other, second.id(), "sensor-1", Aif.of("/led", Aif.PUT), 5, bytes(16), null));
        var all = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ledger.query("/authz/tokens", ""));
        assertEquals(height(), all.path("height").asLong());
        assertEquals(1, all.path("tokens").size(), all.toString());
        var token = all.path("tokens").get(0);
        assertEquals(Hex.encode(live), token.path("cti").asText());
        assertEquals("live", token.path("state").asText());
        assertEquals(Hex.encode(other.publicKey()), token.path("client").asText());
        assertEquals(Hex.encode(second.id()), token.path("policy").asText());
        assertEquals(1, all.path("revoked").size(), all.toString());
        assertEquals(Hex.encode(deleted), all.path("revoked").get(0).path("cti").asText());
        assertEquals(revokedAt, all.path("revoked").get(0).path("revoked_height").asLong());
    }

    @Test
    void gatewaysDeleteOnlyWithMoreThanTwoThirds() {
        byte[] cti = grant(request(client, 10));
        byte[] message = TokenDeletion.cosignedMessage(cti);
        // gateway 2 alone (with its own co-signature), then with gateway 3: 2 of the 3 needed
        byte[] alone = TokenDeletion.cosigned(cti, List.of(Cosignatures.cosign(2, ledger.key(2), message))).encode();
        assertRefused(TxCode.DELETE_NOT_ALLOWED, tx(Operation.TOKEN_DELETE, alone, 2), "one gateway alone");
        byte[] two = TokenDeletion.cosigned(cti, List.of(Cosignatures.cosign(3, ledger.key(3), message))).encode();
        assertRefused(TxCode.DELETE_NOT_ALLOWED, tx(Operation.TOKEN_DELETE, two, 2), "two gateways of four");
        // a co-signature claimed for gateway 4 but made with gateway 2's key
        List<Cosignatures.Cosignature> fake = new ArrayList<>(List.of(Cosignatures.cosign(3, ledger.key(3), message),
                Cosignatures.cosign(4, ledger.key(2), message)));
        assertRefused(TxCode.DELETE_NOT_ALLOWED, tx(Operation.TOKEN_DELETE, TokenDeletion.cosigned(cti, fake).encode(), 2),
                "a forged co-signature");
        byte[] three = TokenDeletion.cosigned(cti, List.of(Cosignatures.cosign(3, ledger.key(3), message),
                Cosignatures.cosign(4, ledger.key(4), message))).encode();
        ledger.commit(tx(Operation.TOKEN_DELETE, three, 2));
        assertTrue(holds(s -> s.revocation(cti).isPresent()));
    }

    @Test
    void malformedAndOversizedExtensionsAndNonZeroFieldsAreRefused() {
        assertRefused(TxCode.MALFORMED_AUTHZ, tx(Operation.TOKEN_REQUEST, new byte[] {(byte) 0x82, 0x01}, 2),
                "truncated CBOR");
        assertRefused(TxCode.MALFORMED_AUTHZ, tx(Operation.TOKEN_REQUEST, new byte[0], 2), "no extension");
        assertRefused(TxCode.MALFORMED_AUTHZ, tx(Operation.POLICY_PUT, new byte[Cbor.MAX_SIZE + 1], 2),
                "an oversized extension");
        byte[] ok = request(client, 5).encode();
        byte[] nonZero = LedgerTx.sign(new ChangeRecord(Operation.TOKEN_REQUEST, 7, 0, new byte[32], bytes(16)), 2, ok,
                ledger.key(2)).encode();
        assertRefused(TxCode.MALFORMED_AUTHZ, nonZero, "a node id on a token request");
    }

    @Test
    void expiredTokensLeaveTheStateAtTheirExpHeightEvenInAnEmptyBlock() {
        byte[] cti = grant(request(client, 2));
        long exp = ledger.app.readCommitted(s -> s.token(cti).orElseThrow().token().exp());
        byte[] appHash = ledger.app.readCommitted(LedgerState::appHash);
        ledger.block(); // exp - 1: still live
        assertTrue(holds(s -> s.token(cti).isPresent()));
        assertArrayEquals(appHash, ledger.app.readCommitted(LedgerState::appHash), "an empty block changed nothing");
        ledger.block(); // exp: gone
        assertEquals(exp, height());
        assertFalse(holds(s -> s.token(cti).isPresent()));
        assertFalse(java.util.Arrays.equals(appHash, ledger.app.readCommitted(LedgerState::appHash)),
                "the expiry changed the app hash");
        assertRefused(TxCode.UNKNOWN_TOKEN, tx(Operation.TOKEN_DELETE, TokenDeletion.sign(client, cti).encode(), 2),
                "a deletion of an expired token");
        // and a new token may be granted under the policy once the old one expired
        grant(request(client, 2));
    }

    @Test
    void authorizationStateSurvivesARestart() throws Exception {
        byte[] cti = grant(request(client, 10));
        ledger.commit(tx(Operation.TOKEN_DELETE, TokenDeletion.sign(client, cti).encode(), 1));
        byte[] digest = digest();
        LedgerState reloaded = new StateStore(dir).load();
        assertArrayEquals(digest, reloaded.stateDigest());
        assertTrue(reloaded.revocation(cti).isPresent());
        assertTrue(reloaded.policy(policy.id()).isPresent());
        assertTrue(reloaded.ctiUsed(cti));
    }

    private static byte[] replace(byte[] hay, byte[] from, byte[] to) {
        byte[] out = hay.clone();
        for (int i = 0; i + from.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, out, i, to.length);
                return out;
            }
        }
        throw new AssertionError("not found");
    }
}
