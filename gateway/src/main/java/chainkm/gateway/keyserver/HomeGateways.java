package chainkm.gateway.keyserver;

import chainkm.protocol.authz.ForwardedAccess;
import java.io.IOException;

/** The key servers of the other gateways, reached over the consortium's authenticated gateway-to-gateway channel. */
public interface HomeGateways {
    /**
     * What gateway {@code gateway}'s key server answers to {@code forwarded}.
     *
     * @throws IOException if it cannot be reached, does not answer in time, or answers something else than a key server answer
     */
    KeyServerAnswer forward(int gateway, ForwardedAccess forwarded) throws IOException;
}
