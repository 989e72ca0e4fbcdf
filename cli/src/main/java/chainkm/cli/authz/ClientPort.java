package chainkm.cli.authz;

import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;

/**
 * A gateway's client endpoint, to which a command posts one signed statement in a DTLS session
 * of its own, authenticated with the signer's key.
 *
 * @param address the endpoint's UDP address
 * @param gatewayKey the gateway's signing key, the only one the handshake accepts
 * @param description how messages name it, e.g. "gateway 2's client endpoint (127.0.0.1:40001)"
 * @param timeoutMs how long to wait for the answer
 */
public record ClientPort(InetSocketAddress address, byte[] gatewayKey, String description, long timeoutMs) {

    /** What the gateway answered: the 2.04 payload, or the refusal. */
    public record Outcome(byte[] payload, Refusal refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    /** Posts {@code statement} to {@code /authz/<resource>} as {@code signer}; IOException when there is no usable answer. */
    public Outcome post(Ed25519.KeyPair signer, String resource, byte[] statement) throws IOException {
        Response r;
        try (ClientEndpoint endpoint = ClientEndpoint.connect(address, signer, gatewayKey)) {
            try {
                r = endpoint.post(resource, statement, timeoutMs);
            } catch (IOException e) {
                throw new IOException("no answer from " + description + " within " + timeoutMs / 1000
                        + " s: is the gateway running, is that its address, and is the gateway key its signing key? "
                        + "(a wrong key fails the DTLS handshake)" + cause(e), e);
            }
        }
        return outcome(r, description);
    }

    private static String cause(IOException e) {
        Throwable c = e.getCause();
        return c == null ? "" : " [" + c.getMessage() + "]";
    }

    /** The 2.04 payload, the refusal of a 4.00/4.03/4.13, or an IOException for any other answer. */
    static Outcome outcome(Response r, String from) throws IOException {
        ResponseCode code = r.getCode();
        String text = r.getPayloadString();
        return switch (code) {
            case CHANGED -> new Outcome(r.getPayload(), null);
            case FORBIDDEN -> new Outcome(null, Refusal.ofLedgerDiagnostic(text));
            case BAD_REQUEST, REQUEST_ENTITY_TOO_LARGE -> new Outcome(null, Refusal.malformed(text));
            case SERVICE_UNAVAILABLE -> throw new IOException(from + " could not submit the statement now (5.03: "
                    + text + "): try again, or through another gateway");
            case NOT_FOUND -> throw new IOException(from + " has no /authz resources (4.04): is that the gateway's "
                    + "authz_port, not its coap_port?");
            default -> throw new IOException(from + " answered " + code.text + " " + code.name() + ": " + text);
        };
    }
}
