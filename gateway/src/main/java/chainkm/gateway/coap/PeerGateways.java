package chainkm.gateway.coap;

import chainkm.gateway.keyserver.HomeGateways;
import chainkm.gateway.keyserver.KeyServerAnswer;
import chainkm.protocol.authz.AccessGrant;
import chainkm.protocol.authz.AuthzFormatException;
import chainkm.protocol.authz.ForwardedAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;

/**
 * One {@link PeerGatewayClient} per other gateway of the consortium, opened when first needed; the
 * key servers of the other gateways ({@link HomeGateways}) through them.
 */
public final class PeerGateways implements HomeGateways, AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final int me;
    private final Map<Integer, InetSocketAddress> endpoints;
    private final IntFunction<byte[]> relayPsk;
    private final Map<Integer, PeerGatewayClient> clients = new HashMap<>();

    public PeerGateways(int me, Map<Integer, InetSocketAddress> endpoints, IntFunction<byte[]> relayPsk) {
        this.me = me;
        this.endpoints = Map.copyOf(endpoints);
        this.relayPsk = relayPsk;
    }

    /** The client for gateway {@code id}; fails if genesis gives no device endpoint for it. */
    public synchronized PeerGatewayClient client(int id) {
        PeerGatewayClient c = clients.get(id);
        if (c != null) {
            return c;
        }
        InetSocketAddress at = endpoints.get(id);
        if (at == null || id == me) {
            throw new IllegalArgumentException("no device endpoint of gateway " + id + " in genesis (app_state.gateways[].coap)");
        }
        byte[] psk = relayPsk.apply(id);
        try {
            c = new PeerGatewayClient(at, "gateway-" + me, psk, TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            java.util.Arrays.fill(psk, (byte) 0);
        }
        clients.put(id, c);
        return c;
    }

    @Override
    public KeyServerAnswer forward(int gateway, ForwardedAccess forwarded) throws IOException {
        // a home that restarted and lost the DTLS session: forwardAccess tries once more in a new one
        Response r = client(gateway).forwardAccess(forwarded.encode());
        if (r.getCode() == ResponseCode.CONTENT) {
            try {
                return KeyServerAnswer.granted(AccessGrant.decode(r.getPayload()));
            } catch (AuthzFormatException e) {
                throw new IOException("gateway " + gateway + " answered a malformed grant: " + e.getMessage());
            }
        }
        KeyServerAnswer.Outcome refusal = KeyServerResponses.refusalOf(r.getCode());
        // the home gateway's reason, passed through as printable text
        String diagnostic = r.getPayloadString().replaceAll("[^\\x20-\\x7e]", "?");
        if (refusal == null) {
            throw new IOException("gateway " + gateway + " answered " + r.getCode() + " " + diagnostic);
        }
        return KeyServerAnswer.refused(refusal, diagnostic);
    }

    @Override
    public synchronized void close() {
        clients.values().forEach(PeerGatewayClient::close);
        clients.clear();
    }
}
