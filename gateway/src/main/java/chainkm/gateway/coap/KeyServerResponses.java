package chainkm.gateway.coap;

import chainkm.gateway.keyserver.KeyServerAnswer;
import chainkm.gateway.keyserver.KeyServerAnswer.Outcome;
import chainkm.protocol.authz.AccessGrant;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * The key server's answers on CoAP, both ways: 2.05 with the grant (content format 261,
 * application/ace-groupcomm+cbor), 4.00, 4.01, 4.03, 4.04, 4.13 or 5.03 with a short diagnostic.
 * A forwarding key server reads its home gateway's response back into the same answer.
 */
final class KeyServerResponses {
    private KeyServerResponses() {}

    static ResponseCode codeOf(Outcome outcome) {
        return switch (outcome) {
            case GRANTED -> ResponseCode.CONTENT;
            case BAD_REQUEST -> ResponseCode.BAD_REQUEST;
            case UNAUTHORIZED -> ResponseCode.UNAUTHORIZED;
            case FORBIDDEN -> ResponseCode.FORBIDDEN;
            case NOT_FOUND -> ResponseCode.NOT_FOUND;
            case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
            case UNAVAILABLE -> ResponseCode.SERVICE_UNAVAILABLE;
        };
    }

    /** The refusal a response code stands for; null for a code no key server answers with. */
    static Outcome refusalOf(ResponseCode code) {
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.GRANTED && codeOf(o) == code) {
                return o;
            }
        }
        return null;
    }

    static void respond(CoapExchange exchange, KeyServerAnswer answer) {
        if (answer.isGranted()) {
            exchange.respond(ResponseCode.CONTENT, answer.grant().encode(), AccessGrant.CONTENT_FORMAT);
        } else {
            DeviceResource.respondError(exchange, codeOf(answer.outcome()), answer.diagnostic());
        }
    }
}
