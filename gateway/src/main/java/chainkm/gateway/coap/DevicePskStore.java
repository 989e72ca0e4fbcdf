package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import java.net.InetSocketAddress;
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
 * Scandium's view of the key manager's DTLS credentials: the pre-shared key of a device
 * identity ({@code boot-...} or {@code node-<id>}) is whatever {@link DeviceService#pskFor}
 * says. An unknown identity gets no key, so its handshake fails. Server side only.
 */
final class DevicePskStore implements AdvancedPskStore {
    private static final Logger LOG = LoggerFactory.getLogger(DevicePskStore.class);

    private final DeviceService service;

    DevicePskStore(DeviceService service) {
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
                LOG.info("DTLS handshake refused: unknown PSK identity '{}'", Identities.printable(name));
            }
        } else {
            LOG.info("DTLS handshake refused: PSK identity is not valid UTF-8");
        }
        // a result with a null secret makes Scandium fail the handshake (unknown_psk_identity)
        return new PskSecretResult(cid, identity, secret);
    }

    private byte[] lookUp(String identity) {
        try {
            return service.pskFor(identity);
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
