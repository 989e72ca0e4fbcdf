package chainkm.gateway.keyserver;

import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.Aif;
import java.util.Arrays;
import java.util.Optional;

/**
 * The key server's checks of an access request against the latest committed ledger state, in
 * this order, each with its own answer:
 * <ol>
 *   <li>a cti the ledger never granted: 4.01 {@code unknown token};</li>
 *   <li>a deleted token: 4.01 {@code token revoked at height R} (R: the deleting block);</li>
 *   <li>an expired token: 4.01 {@code token expired at height E} (E: its exp), or
 *       {@code token expired at or before height H} once it has left the state;</li>
 *   <li>a cnf that is not the key the client proved over DTLS: 4.01 {@code token bound to
 *       another key} (a client presenting another client's cti);</li>
 *   <li>an aud that is not the requested device: 4.03 {@code token for another audience};</li>
 *   <li>a scope without the requested methods on the path: 4.03 {@code scope does not cover M on P}.</li>
 * </ol>
 *
 * <p><b>Expiry.</b> A token is refused once committed height + 1 &ge; exp. The contracts hold a
 * token live at height h when h &lt; exp, and every block starts by dropping the tokens whose exp
 * it has reached. The committed state at H is already past; what the key server hands out now is
 * used while block H + 1 is being made, and that block would no longer see the token. The key
 * server therefore judges at H + 1, as the contracts judge a transaction at the height of its
 * block, and never hands out material that outlives the token on the ledger. The cost is that a
 * token is served one block less than its nominal lifetime.
 */
public final class AccessCheck {
    private AccessCheck() {}

    /** Why {@code request} by the holder of {@code clientKey} is refused, or empty when the token covers it. */
    public static Optional<KeyServerAnswer> refusal(TokenFacts facts, AccessRequest request, byte[] clientKey) {
        if (facts.token().isEmpty() && facts.revokedAt().isEmpty()) {
            if (!facts.ctiUsed()) {
                return refuse(Outcome.UNAUTHORIZED, "unknown token");
            }
            // granted once, neither in state nor on the revocation list: its exp has passed
            return refuse(Outcome.UNAUTHORIZED, "token expired at or before height " + facts.height());
        }
        if (facts.revokedAt().isPresent()) {
            return refuse(Outcome.UNAUTHORIZED, "token revoked at height " + facts.revokedAt().getAsLong());
        }
        AccessToken token = facts.token().get();
        if (facts.height() + 1 >= token.exp()) {
            return refuse(Outcome.UNAUTHORIZED, "token expired at height " + token.exp());
        }
        if (!Arrays.equals(token.clientKey(), clientKey)) {
            return refuse(Outcome.UNAUTHORIZED, "token bound to another key");
        }
        if (!token.audience().equals(request.device())) {
            return refuse(Outcome.FORBIDDEN, "token for another audience");
        }
        long granted = token.scope().methodsOn(request.path());
        long missing = request.methods() & ~granted;
        if (missing != 0) {
            return refuse(Outcome.FORBIDDEN, "scope does not cover " + Aif.methodNames(missing) + " on " + request.path());
        }
        return Optional.empty();
    }

    private static Optional<KeyServerAnswer> refuse(Outcome outcome, String why) {
        return Optional.of(KeyServerAnswer.refused(outcome, why));
    }
}
