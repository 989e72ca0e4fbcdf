package chainkm.gateway.coap;

import chainkm.gateway.devices.DevicePeer;
import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.security.Principal;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who sent a device request: the raw public key the DTLS session authenticated, looked up in
 * the committed ledger for every request (not once per handshake), so an identity revoked while
 * its session is open is refused from the next request on. Requests that fail the lookup are
 * answered 4.03 here, with one log line each.
 */
final class DevicePeers {
    private static final Logger LOG = LoggerFactory.getLogger(DevicePeers.class);
    /** How much of a key a log line may show. */
    private static final int KEY_HEX_SHOWN = 8;

    private DevicePeers() {
    }

    /** The 32-byte Ed25519 key of the request's DTLS session, or null (a PSK session, or no session). */
    static byte[] sessionKey(CoapExchange exchange) {
        EndpointContext source = exchange.advanced().getRequest().getSourceContext();
        Principal peer = source == null ? null : source.getPeerIdentity();
        if (peer instanceof RawPublicKeyIdentity rpk) {
            return Ed25519.rawOf(rpk.getKey()).orElse(null);
        }
        return null;
    }

    /**
     * The device peer of the request, a non-revoked identity whose current key is the session's;
     * empty after answering 4.03 otherwise.
     */
    static Optional<DevicePeer> require(CoapExchange exchange, DeviceService service, String resource) {
        byte[] key = sessionKey(exchange);
        if (key == null) {
            LOG.info("/{} refused: not a device session (a gateway's PSK, or none)", resource);
            DeviceResource.respondError(exchange, ResponseCode.FORBIDDEN, "/" + resource + " needs a device identity");
            return Optional.empty();
        }
        Optional<DeviceIdentity> identity = service.identityByKey(key);
        if (identity.isEmpty()) {
            LOG.warn("/{} refused: key {} is no identity's current key (unknown, or an enrollment key after activation)",
                    resource, shortHex(key));
            DeviceResource.respondError(exchange, ResponseCode.FORBIDDEN, "this key is not a device identity's key");
            return Optional.empty();
        }
        DevicePeer peer = DevicePeer.of(identity.get());
        if (peer == null) {
            LOG.warn("/{} refused: identity revoked {}", resource, identity.get().name());
            DeviceResource.respondError(exchange, ResponseCode.FORBIDDEN, "identity revoked");
            return Optional.empty();
        }
        return Optional.of(peer);
    }

    /** As {@link #require}, for a member only (a device that joined and is not revoked). */
    static Optional<DevicePeer> requireMember(CoapExchange exchange, DeviceService service, String resource) {
        Optional<DevicePeer> peer = require(exchange, service, resource);
        if (peer.isPresent() && !peer.get().isMember()) {
            LOG.info("/{} refused: {} has not joined", resource, peer.get());
            DeviceResource.respondError(exchange, ResponseCode.FORBIDDEN, "/" + resource + " is for members: join first");
            return Optional.empty();
        }
        return peer;
    }

    /** The first characters of a key's hex, enough to tell keys apart in a log. */
    static String shortHex(byte[] key) {
        String hex = Hex.encode(key);
        return hex.substring(0, Math.min(KEY_HEX_SHOWN, hex.length()));
    }
}
