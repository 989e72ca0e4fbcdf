package chainkm.device.coap;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.Arrays;
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
 * The device's check of the gateway it talks to: the server's raw public key must be exactly the
 * key its bundle holds for that gateway ({@code gateway.N.signing_key}), not any trust anchor of
 * the bundle, so a gateway cannot stand in for another. Anything else ends the handshake with a
 * fatal bad_certificate alert and one log line, before any request is sent.
 */
final class GatewayKeyVerifier implements NewAdvancedCertificateVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayKeyVerifier.class);

    private final byte[] expected;

    GatewayKeyVerifier(byte[] gatewayKey) {
        if (gatewayKey == null || gatewayKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("a gateway key is a 32-byte Ed25519 public key");
        }
        this.expected = gatewayKey.clone();
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
        Optional<byte[]> raw = key == null ? Optional.empty() : Ed25519.rawOf(key);
        if (raw.isPresent() && Arrays.equals(raw.get(), expected)) {
            return new CertificateVerificationResult(cid, key, null);
        }
        String presented = raw.map(r -> "key " + Hex.encode(r).substring(0, 8) + "...")
                .orElse(key == null ? "no raw public key" : "a " + key.getAlgorithm() + " key");
        String reason = "DTLS handshake with gateway " + remotePeer + " refused: it presented " + presented
                + ", not the key the provisioning bundle holds for this gateway";
        LOG.warn(reason);
        return new CertificateVerificationResult(cid,
                new HandshakeException(reason, new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)), null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return List.of();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers synchronously
    }
}
