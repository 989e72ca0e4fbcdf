package chainkm.cli.groups;

import chainkm.cli.authz.ClientEndpoint;
import chainkm.cli.authz.ClientPort;
import chainkm.cli.authz.Refusal;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AccessRequest;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;

/**
 * A client asking a gateway's key server for a resource's group material ({@code POST
 * /authz/access}) over DTLS with its token's key: the grant, or the key server's refusal as the
 * commands print it ({@code code}: the CoAP code as a number, 401 for 4.01; {@code name}: its
 * name, e.g. UNAUTHORIZED; {@code reason}: the key server's diagnostic; {@code by}: gateway).
 */
public final class KeyServerAccess {
    private KeyServerAccess() {}

    /** The grant, or why it was refused. */
    public record Answer(AccessGrant grant, Refusal refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    public static Answer access(ClientPort port, Ed25519.KeyPair client, AccessRequest request) throws IOException {
        Response r;
        try (ClientEndpoint endpoint = ClientEndpoint.connect(port.address(), client, port.gatewayKey())) {
            try {
                r = endpoint.post("access", request.encode(), port.timeoutMs());
            } catch (IOException e) {
                throw new IOException("no answer from " + port.description() + " within " + port.timeoutMs() / 1000
                        + " s: is the gateway running, and is the gateway key its signing key?", e);
            }
        }
        ResponseCode code = r.getCode();
        if (code == ResponseCode.CONTENT) {
            try {
                return new Answer(AccessGrant.decode(r.getPayload()), null);
            } catch (AuthzFormatException e) {
                throw new IOException(port.description() + " answered a malformed grant: " + e.getMessage(), e);
            }
        }
        if (code.codeClass == 4 || code == ResponseCode.SERVICE_UNAVAILABLE) {
            return new Answer(null, new Refusal(code.codeClass * 100 + code.codeDetail, code.name(),
                    r.getPayloadString(), "gateway"));
        }
        throw new IOException(port.description() + " answered " + code.text + " " + code.name() + ": " + r.getPayloadString());
    }
}
