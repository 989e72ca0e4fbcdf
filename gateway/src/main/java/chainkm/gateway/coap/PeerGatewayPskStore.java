package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scandium's PSK store for the only pre-shared keys left: other gateways of the consortium
 * ({@code gateway-<id>}, keyed by the two gateways' pair secret, {@link DeviceService#gatewayPsk}).
 * Devices have no PSK at all: any other identity gets no key, so its handshake fails. Server side only.
 */
final class PeerGatewayPskStore implements AdvancedPskStore {
    private static final Logger LOG = LoggerFactory.getLogger(PeerGatewayPskStore.class);

    private final DeviceService service;

    PeerGatewayPskStore(DeviceService service) {
        this.service = service;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        // only plain PSK cipher suites are configured
        return false;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
            PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
            boolean useExtendedMasterSecret) {
        SecretKey secret = null;
        if (identity.isCompliantEncoding()) {
            String name = identity.getPublicInfoAsString();
            byte[] psk = lookUp(name);
            if (psk != null && psk.length > 0) {
                // SecretUtil copies the bytes into a destroyable key; Scandium destroys it after use
                secret = SecretUtil.create(psk, PskSecretResult.ALGORITHM_PSK);
            } else {
                LOG.info("DTLS handshake refused: unknown PSK identity '{}' (only gateways use PSK)",
                        Identities.printable(name));
            }
        } else {
            LOG.info("DTLS handshake refused: PSK identity is not valid UTF-8");
        }
        // a result with a null secret makes Scandium fail the handshake (unknown_psk_identity)
        return new PskSecretResult(cid, identity, secret);
    }

    private byte[] lookUp(String identity) {
        OptionalInt gateway = Identities.gatewayIdOf(identity);
        if (gateway.isEmpty()) {
            return null;
        }
        try {
            return service.gatewayPsk(gateway.getAsInt());
        } catch (RuntimeException e) {
            LOG.warn("PSK lookup failed for identity '{}'", Identities.printable(identity), e);
            return null;
        }
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        // a server never starts handshakes
        return null;
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // results are always returned synchronously
    }
}
