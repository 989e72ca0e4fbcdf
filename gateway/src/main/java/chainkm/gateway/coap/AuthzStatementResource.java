package chainkm.gateway.coap;

import chainkm.gateway.submit.SubmitResult;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.Cbor;
import chainkm.protocol.authz.Policy;
import chainkm.protocol.authz.PolicyRemoval;
import chainkm.protocol.authz.TokenDeletion;
import chainkm.protocol.authz.TokenRequest;
import chainkm.protocol.ledger.Operation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /authz/<name>}: one kind of signed authorization statement, relayed unchanged to
 * the ledger ({@link StatementRelay}) as the extension of operation {@code operation}.
 * <ul>
 *   <li>{@code policy} (POLICY_PUT), {@code policy-remove} (POLICY_REMOVE),
 *       {@code token-delete} (TOKEN_DELETE): 2.04 once committed, body the commit height in decimal text;</li>
 *   <li>{@code token} (TOKEN_REQUEST): 2.04 once committed, body the granted access token (the
 *       CWT claims set's deterministic CBOR, content format application/cwt), exactly the one the ledger keeps.</li>
 * </ul>
 * 4.00 when the body does not parse as that statement (nothing is submitted: the ledger would
 * refuse it as MALFORMED_AUTHZ anyway); 4.13 above {@link Cbor#MAX_SIZE} bytes; 4.03 with
 * {@code code N NAME: reason} when the ledger refuses it; 5.03 when it could not be submitted now.
 */
final class AuthzStatementResource extends DeviceResource {
    private static final Logger LOG = LoggerFactory.getLogger(AuthzStatementResource.class);
    /** RFC 8392's content format for a CWT. */
    static final int APPLICATION_CWT = 61;

    private final Operation operation;
    private final StatementRelay relay;

    AuthzStatementResource(String name, Operation operation, StatementRelay relay, Executor executor) {
        super(name, executor);
        this.operation = operation;
        this.relay = relay;
    }

    /** The four statement resources under {@code /authz}. */
    static AuthzStatementResource[] all(StatementRelay relay, Executor executor) {
        return new AuthzStatementResource[] {
            new AuthzStatementResource("policy", Operation.POLICY_PUT, relay, executor),
            new AuthzStatementResource("policy-remove", Operation.POLICY_REMOVE, relay, executor),
            new AuthzStatementResource("token", Operation.TOKEN_REQUEST, relay, executor),
            new AuthzStatementResource("token-delete", Operation.TOKEN_DELETE, relay, executor),
        };
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        byte[] body = exchange.getRequestPayload();
        byte[] sessionKey = DevicePeers.sessionKey(exchange);
        String client = sessionKey == null ? "(no key)" : DevicePeers.shortHex(sessionKey);
        if (body.length > Cbor.MAX_SIZE) {
            LOG.warn("authz {} from client {} refused: {} bytes, at most {}", getName(), client, body.length, Cbor.MAX_SIZE);
            respondError(exchange, ResponseCode.REQUEST_ENTITY_TOO_LARGE,
                    "a statement is at most " + Cbor.MAX_SIZE + " bytes, not " + body.length);
            return;
        }
        TokenRequest tokenRequest;
        try {
            tokenRequest = parse(body);
        } catch (AuthzFormatException e) {
            LOG.warn("authz {} from client {} refused: malformed: {}", getName(), client, e.getMessage());
            respondError(exchange, ResponseCode.BAD_REQUEST, "malformed " + getName() + " statement: " + e.getMessage());
            return;
        }
        // the answer waits for the block: acknowledge now so the client does not retransmit
        exchange.accept();
        SubmitResult r;
        try {
            r = relay.relay(operation, body);
        } catch (IOException e) {
            LOG.warn("authz {} from client {} not submitted: {}", getName(), client, e.getMessage());
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, "not submitted: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respondError(exchange, ResponseCode.SERVICE_UNAVAILABLE, "interrupted");
            return;
        }
        if (!r.committed()) {
            LOG.warn("authz {} from client {} refused by the ledger: code {} {}", getName(), client, r.code(), r.log());
            respondError(exchange, ResponseCode.FORBIDDEN, "code " + r.code() + " " + r.log());
            return;
        }
        LOG.info("authz {} from client {} committed at height {}", getName(), client, r.height());
        if (tokenRequest != null) {
            // the contract grants exactly this token in the committing block
            exchange.respond(ResponseCode.CHANGED, tokenRequest.grant(r.height()).encode(), APPLICATION_CWT);
        } else {
            exchange.respond(ResponseCode.CHANGED, Long.toString(r.height()).getBytes(StandardCharsets.US_ASCII),
                    MediaTypeRegistry.TEXT_PLAIN);
        }
    }

    /** Checks that {@code body} is this resource's statement; the token request when it is one, else null. */
    private TokenRequest parse(byte[] body) throws AuthzFormatException {
        switch (operation) {
            case POLICY_PUT -> Policy.decode(body);
            case POLICY_REMOVE -> PolicyRemoval.decode(body);
            case TOKEN_DELETE -> TokenDeletion.decode(body);
            case TOKEN_REQUEST -> {
                return TokenRequest.decode(body);
            }
            default -> throw new IllegalStateException("not an authorization operation: " + operation);
        }
        return null;
    }
}
