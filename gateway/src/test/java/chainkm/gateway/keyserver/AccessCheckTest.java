package chainkm.gateway.keyserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import chainkm.protocol.crypto.Ed25519;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Each check of the key server, with its own answer, and the order they run in. */
class AccessCheckTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] alice = Ed25519.KeyPair.generate(RANDOM).publicKey();
    private final byte[] bob = Ed25519.KeyPair.generate(RANDOM).publicKey();
    private final byte[] cti = new byte[16];
    private final Aif scope = new Aif(List.of(new Aif.Entry("/light", Aif.GET | Aif.PUT), new Aif.Entry("/temp", Aif.GET)));

    {
        RANDOM.nextBytes(cti);
    }

    /** The ledger at {@code height} with the token, granted at 100 and live at heights 100 to 149. */
    private TokenFacts live(long height) {
        return new TokenFacts(height, Optional.of(new AccessToken("lamp-1", scope, 150, 100, cti, alice)),
                OptionalLong.empty(), true, OptionalInt.of(1));
    }

    private AccessRequest request(String device, String path, long methods) {
        return new AccessRequest(cti, device, path, methods);
    }

    private static void assertRefused(Optional<KeyServerAnswer> refusal, Outcome outcome, String reason) {
        assertTrue(refusal.isPresent(), "refused: " + reason);
        assertEquals(outcome, refusal.get().outcome(), refusal.get().toString());
        assertEquals(reason, refusal.get().diagnostic());
    }

    @Test
    void aLiveTokenBindingTheKeyToTheDeviceAndScopePasses() {
        assertEquals(Optional.empty(), AccessCheck.refusal(live(120), request("lamp-1", "/light", Aif.GET | Aif.PUT), alice));
        assertEquals(Optional.empty(), AccessCheck.refusal(live(120), request("lamp-1", "/temp", Aif.GET), alice));
        // the last height at which the next block still sees the token live
        assertEquals(Optional.empty(), AccessCheck.refusal(live(148), request("lamp-1", "/light", Aif.GET), alice));
    }

    @Test
    void aCtiTheLedgerNeverGrantedIsAnUnknownToken() {
        TokenFacts none = new TokenFacts(120, Optional.empty(), OptionalLong.empty(), false, OptionalInt.of(1));
        assertRefused(AccessCheck.refusal(none, request("lamp-1", "/light", Aif.GET), alice), Outcome.UNAUTHORIZED,
                "unknown token");
    }

    @Test
    void aDeletedTokenIsRevokedAtTheHeightOfItsDeletion() {
        TokenFacts revoked = new TokenFacts(120, Optional.empty(), OptionalLong.of(117), true, OptionalInt.of(1));
        assertRefused(AccessCheck.refusal(revoked, request("lamp-1", "/light", Aif.GET), alice), Outcome.UNAUTHORIZED,
                "token revoked at height 117");
    }

    @Test
    void aTokenIsExpiredOnceTheNextBlockWouldNotSeeItLive() {
        assertRefused(AccessCheck.refusal(live(149), request("lamp-1", "/light", Aif.GET), alice), Outcome.UNAUTHORIZED,
                "token expired at height 150");
        assertRefused(AccessCheck.refusal(live(150), request("lamp-1", "/light", Aif.GET), alice), Outcome.UNAUTHORIZED,
                "token expired at height 150");
        // once it has left the state, the ledger only remembers that the cti was used
        TokenFacts gone = new TokenFacts(160, Optional.empty(), OptionalLong.empty(), true, OptionalInt.of(1));
        assertRefused(AccessCheck.refusal(gone, request("lamp-1", "/light", Aif.GET), alice), Outcome.UNAUTHORIZED,
                "token expired at or before height 160");
    }

    @Test
    void anotherClientPresentingTheCtiIsRefusedAsBoundToAnotherKey() {
        assertRefused(AccessCheck.refusal(live(120), request("lamp-1", "/light", Aif.GET), bob), Outcome.UNAUTHORIZED,
                "token bound to another key");
    }

    @Test
    void aTokenForAnotherDeviceIsForAnotherAudience() {
        assertRefused(AccessCheck.refusal(live(120), request("lamp-2", "/light", Aif.GET), alice), Outcome.FORBIDDEN,
                "token for another audience");
    }

    @Test
    void methodsOrPathsOutsideTheScopeAreNotCovered() {
        assertRefused(AccessCheck.refusal(live(120), request("lamp-1", "/temp", Aif.GET | Aif.PUT), alice),
                Outcome.FORBIDDEN, "scope does not cover PUT on /temp");
        assertRefused(AccessCheck.refusal(live(120), request("lamp-1", "/door", Aif.GET), alice), Outcome.FORBIDDEN,
                "scope does not cover GET on /door");
        assertRefused(AccessCheck.refusal(live(120), request("lamp-1", "/light", Aif.DELETE), alice), Outcome.FORBIDDEN,
                "scope does not cover DELETE on /light");
    }

    @Test
    void theChecksRunInTheDocumentedOrder() {
        // revoked beats everything after it, expired beats the key, the key beats the audience, the audience the scope
        TokenFacts revokedAndExpired = new TokenFacts(200, Optional.empty(), OptionalLong.of(130), true, OptionalInt.of(1));
        assertRefused(AccessCheck.refusal(revokedAndExpired, request("lamp-2", "/door", Aif.PUT), bob),
                Outcome.UNAUTHORIZED, "token revoked at height 130");
        assertRefused(AccessCheck.refusal(live(149), request("lamp-2", "/door", Aif.PUT), bob), Outcome.UNAUTHORIZED,
                "token expired at height 150");
        assertRefused(AccessCheck.refusal(live(120), request("lamp-2", "/door", Aif.PUT), bob), Outcome.UNAUTHORIZED,
                "token bound to another key");
        assertRefused(AccessCheck.refusal(live(120), request("lamp-2", "/door", Aif.PUT), alice), Outcome.FORBIDDEN,
                "token for another audience");
    }
}
