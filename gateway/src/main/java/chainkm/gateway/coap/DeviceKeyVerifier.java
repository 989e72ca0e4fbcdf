package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.ledger.DeviceIdentity;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a device's DTLS handshake (RFC 7250 raw public key, Ed25519) only when the committed
 * ledger has an identity whose current key it is and that identity is not revoked: an enrolled
 * identity's one-time enrollment key (it may only activate), or an active identity's own key.
 * A key an identity held before (an enrollment key after activation) maps to none. Nothing on
 * a gateway's disk lets it pass this as a device. X.509 certificates are not accepted.
 */
final class DeviceKeyVerifier extends RawKeyVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceKeyVerifier.class);

    private final DeviceService service;

    DeviceKeyVerifier(DeviceService service) {
        super(LOG, "DTLS handshake refused: {}");
        this.service = service;
    }

    @Override
    Optional<String> refusal(byte[] rawKey) {
        Optional<DeviceIdentity> identity;
        try {
            identity = service.identityByKey(rawKey);
        } catch (RuntimeException e) {
            LOG.warn("identity lookup failed during a DTLS handshake", e);
            return Optional.of("identity lookup failed");
        }
        if (identity.isEmpty()) {
            return Optional.of("unknown key " + DevicePeers.shortHex(rawKey));
        }
        if (identity.get().state() == DeviceIdentity.State.REVOKED) {
            return Optional.of("revoked identity " + identity.get().name());
        }
        return Optional.empty();
    }
}
