package chainkm.gateway.keyserver;

import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AccessToken;
import chainkm.protocol.authz.ForwardedAccess;
import chainkm.protocol.crypto.Hex;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway's key server (IoTChain's key server and group manager). For a client whose DTLS
 * session proved {@code clientKey}, it checks the request against the latest committed ledger
 * state ({@link AccessCheck}: nothing cached, so a token deleted or expired in the last block is
 * refused from the next request on), then:
 * <ul>
 *   <li>when this gateway is the home of the device ({@link TokenFacts#homeGateway()}), answers
 *       the client's personal secret for the group ({@link MemberSecrets});</li>
 *   <li>else forwards the request, with the client's key and the height it checked at, to the
 *       home gateway's key server ({@link HomeGateways}), which waits until it has committed that
 *       height, checks again and answers; the answer is passed through. A home gateway that cannot
 *       be reached is 5.03 with the reason.</li>
 * </ul>
 * Every refusal and every grant is logged with the first 8 hex digits of the client's key; no
 * key material is ever logged.
 */
public final class KeyServer {
    private static final Logger LOG = LoggerFactory.getLogger(KeyServer.class);
    /** How long a home gateway waits to commit the height a forwarding gateway checked at (a block or two). */
    static final Duration CATCH_UP = Duration.ofSeconds(2);

    private final int gatewayId;
    private final TokenLedger ledger;
    private final MemberSecrets secrets;
    private final HomeGateways homes;

    public KeyServer(int gatewayId, TokenLedger ledger, MemberSecrets secrets, HomeGateways homes) {
        this.gatewayId = gatewayId;
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.homes = Objects.requireNonNull(homes, "homes");
    }

    /** A client's request, over a DTLS session that proved {@code clientKey}. */
    public KeyServerAnswer access(AccessRequest request, byte[] clientKey) {
        String client = shortHex(clientKey);
        TokenFacts facts = ledger.facts(request.cti(), request.device());
        Optional<KeyServerAnswer> refusal = AccessCheck.refusal(facts, request, clientKey);
        if (refusal.isPresent()) {
            return logged(refusal.get(), request, client, facts.height(), "");
        }
        OptionalInt home = facts.homeGateway();
        if (home.isEmpty()) {
            return logged(KeyServerAnswer.refused(Outcome.NOT_FOUND, "device " + request.device()
                    + " is not on the ledger: no key server manages its groups"), request, client, facts.height(), "");
        }
        if (home.getAsInt() == gatewayId) {
            return grant(facts, request, client, "");
        }
        int to = home.getAsInt();
        LOG.info("key server: access to {} for client {} passes the checks at height {}; forwarding to home gateway {}",
                request.group(), client, facts.height(), to);
        KeyServerAnswer answer;
        try {
            answer = homes.forward(to, new ForwardedAccess(request, clientKey, facts.height()));
        } catch (IOException | RuntimeException e) {
            answer = KeyServerAnswer.refused(Outcome.UNAVAILABLE, "home gateway " + to + " of device " + request.device()
                    + " unreachable: " + e.getMessage());
        }
        if (answer.isGranted() && !answer.grant().group().equals(request.group())) {
            answer = KeyServerAnswer.refused(Outcome.UNAVAILABLE, "home gateway " + to + " answered for another group");
        }
        return logged(answer, request, client, facts.height(), " (forwarded to home gateway " + to + ")");
    }

    /** A request another gateway's key server checked and forwarded here, as this device's home gateway. */
    public KeyServerAnswer forwarded(ForwardedAccess forwarded, int fromGateway) {
        AccessRequest request = forwarded.request();
        String client = shortHex(forwarded.client());
        String via = " (forwarded by gateway " + fromGateway + ")";
        try {
            if (ledger.height() < forwarded.height() && !ledger.awaitHeight(forwarded.height(), CATCH_UP)) {
                return logged(KeyServerAnswer.refused(Outcome.UNAVAILABLE, "home gateway " + gatewayId + " is at height "
                        + ledger.height() + ", behind gateway " + fromGateway + "'s " + forwarded.height()),
                        request, client, ledger.height(), via);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KeyServerAnswer.refused(Outcome.UNAVAILABLE, "interrupted");
        }
        TokenFacts facts = ledger.facts(request.cti(), request.device());
        Optional<KeyServerAnswer> refusal = AccessCheck.refusal(facts, request, forwarded.client());
        if (refusal.isPresent()) {
            return logged(refusal.get(), request, client, facts.height(), via);
        }
        OptionalInt home = facts.homeGateway();
        if (home.isEmpty() || home.getAsInt() != gatewayId) {
            return logged(KeyServerAnswer.refused(Outcome.UNAVAILABLE, "the ledger makes "
                    + (home.isEmpty() ? "no gateway" : "gateway " + home.getAsInt()) + " the home of device "
                    + request.device() + ", not gateway " + gatewayId), request, client, facts.height(), via);
        }
        return grant(facts, request, client, via);
    }

    private KeyServerAnswer grant(TokenFacts facts, AccessRequest request, String client, String via) {
        AccessToken token = facts.token().orElseThrow();
        MemberSecret secret;
        try {
            secret = secrets.personalSecret(request.group(), request.cti());
        } catch (IOException | RuntimeException e) {
            LOG.error("key server: the secrets of group {} are unavailable: {}", request.group(), e.getMessage());
            return logged(KeyServerAnswer.refused(Outcome.UNAVAILABLE, "the group's secrets are unavailable here"),
                    request, client, facts.height(), via);
        }
        // exi: the blocks from the next one up to the last at which the token is live
        AccessGrant grant = new AccessGrant(request.group(), secret.key(), secret.num(), token.exp(),
                token.exp() - facts.height() - 1);
        return logged(KeyServerAnswer.granted(grant), request, client, facts.height(), via);
    }

    private static KeyServerAnswer logged(KeyServerAnswer answer, AccessRequest request, String client, long height,
                                          String via) {
        String cti = Hex.encode(request.cti()).substring(0, 8);
        if (answer.isGranted()) {
            LOG.info("key server: access to {} granted to client {} at height {} (token {}, num {}, exp {}){}",
                    request.group(), client, height, cti, answer.grant().num(), answer.grant().exp(), via);
        } else {
            LOG.warn("key server: access to {} for client {} refused at height {} (token {}): {} {}{}", request.group(),
                    client, height, cti, answer.outcome(), answer.diagnostic(), via);
        }
        return answer;
    }

    /** The first 8 hex digits of a key: enough to tell clients apart in a log. */
    static String shortHex(byte[] key) {
        return key == null ? "(no key)" : Hex.encode(key).substring(0, Math.min(8, key.length * 2));
    }
}
