package chainkm.gateway.coap;

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
 * Admits an authorization client's DTLS handshake with any Ed25519 raw public key (RFC 7250).
 * Clients are not ledger identities: what they may do is decided by the ledger from the
 * statements they sign, not by the session key, so the handshake only has to prove that the
 * client holds some key (and keeps the channel confidential). X.509 and other key types are refused.
 */
final class ClientKeyVerifier implements NewAdvancedCertificateVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ClientKeyVerifier.class);

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
        return new CertificateVerificationResult(cid, key, null);
    }

    private static CertificateVerificationResult refuse(ConnectionId cid, String reason) {
        LOG.warn("client DTLS handshake refused: {}", reason);
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
