package chainkm.protocol.keys;

import java.security.GeneralSecurityException;

/**
 * An AEAD ciphertext failed authentication: it was tampered with or truncated, or it was
 * opened with the wrong key, nonce or associated data. Nothing of the plaintext is released.
 * The message never names key bytes, and no Bouncy Castle exception is chained.
 */
public final class AuthenticationException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
