package chainkm.gateway.coap;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits an authorization client's DTLS handshake with any Ed25519 raw public key (RFC 7250).
 * Clients are not ledger identities: what they may do is decided by the ledger from the
 * statements they sign, not by the session key, so the handshake only has to prove that the
 * client holds some key (and keeps the channel confidential). X.509 and other key types are refused.
 */
final class ClientKeyVerifier extends RawKeyVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ClientKeyVerifier.class);

    ClientKeyVerifier() {
        super(LOG, "client DTLS handshake refused: {}");
    }

    @Override
    Optional<String> refusal(byte[] rawKey) {
        return Optional.empty();
    }
}
