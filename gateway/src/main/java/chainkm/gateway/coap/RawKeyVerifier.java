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

/**
 * A DTLS peer verifier for RFC 7250 raw public keys, Ed25519 only (X.509 and other key types are
 * refused): it extracts the peer's raw key and leaves to the subclass whether that key is
 * admitted. A refusal is logged as a warning and ends the handshake with a fatal
 * bad_certificate alert. Results are synchronous.
 */
abstract class RawKeyVerifier implements NewAdvancedCertificateVerifier {
    private final Logger log;
    private final String refusedFormat;

    /**
     * @param log           the subclass's logger, so refusals are logged under its name
     * @param refusedFormat the warning for a refusal, with one {@code {}} for the reason
     */
    RawKeyVerifier(Logger log, String refusedFormat) {
        this.log = log;
        this.refusedFormat = refusedFormat;
    }

    /** Why the peer with this 32-byte Ed25519 key is refused (no key bytes in it), or empty to admit it. */
    abstract Optional<String> refusal(byte[] rawKey);

    @Override
    public final List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.RAW_PUBLIC_KEY);
    }

    @Override
    public final CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
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
        Optional<String> refusal = refusal(raw.get());
        if (refusal.isPresent()) {
            return refuse(cid, refusal.get());
        }
        return new CertificateVerificationResult(cid, key, null);
    }

    private CertificateVerificationResult refuse(ConnectionId cid, String reason) {
        log.warn(refusedFormat, reason);
        return new CertificateVerificationResult(cid,
                new HandshakeException(reason, new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)),
                null);
    }

    @Override
    public final List<X500Principal> getAcceptedIssuers() {
        return List.of();
    }

    @Override
    public final void setResultHandler(HandshakeResultHandler resultHandler) {
        // results are always returned synchronously
    }
}
