package chainkm.gateway.coap;

import chainkm.gateway.devices.DeviceService;
import chainkm.gateway.ledger.DeviceIdentity;
import chainkm.protocol.crypto.Ed25519;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.ServerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a device's DTLS handshake (RFC 7250 raw public key, Ed25519) only when the committed
 * ledger has an identity whose current key it is and that identity is not revoked: an enrolled
 * identity's one-time enrollment key (it may only activate), or an active identity's own key.
 * A key an identity held before (an enrollment key after activation) maps to none. Nothing on
 * a gateway's disk lets it pass this as a device. X.509 certificates are not accepted.
 */
final class DeviceKeyVerifier implements NewAdvancedCertificateVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceKeyVerifier.class);

    private final DeviceService service;

    DeviceKeyVerifier(DeviceService service) {
        this.service = service;
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.RAW_PUBLIC_KEY);
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        PublicKey key = message.getPublicKey();
        if (key == null) {
            return refuse(cid, "no raw public key");
        }
        Optional<byte[]> raw = Ed25519.rawOf(key);
        if (raw.isEmpty()) {
            return refuse(cid, "not an Ed25519 key (" + key.getAlgorithm() + ")");
        }
        Optional<DeviceIdentity> identity;
        try {
            identity = service.identityByKey(raw.get());
        } catch (RuntimeException e) {
            LOG.warn("identity lookup failed during a DTLS handshake", e);
            return refuse(cid, "identity lookup failed");
        }
        if (identity.isEmpty()) {
            return refuse(cid, "unknown key " + DevicePeers.shortHex(raw.get()));
        }
        if (identity.get().state() == DeviceIdentity.State.REVOKED) {
            return refuse(cid, "revoked identity " + identity.get().name());
        }
        return new CertificateVerificationResult(cid, key, null);
    }

    private static CertificateVerificationResult refuse(ConnectionId cid, String reason) {
        LOG.warn("DTLS handshake refused: {}", reason);
        return new CertificateVerificationResult(cid,
                new HandshakeException(reason, new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)),
                null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return List.of();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // results are always returned synchronously
    }
}
