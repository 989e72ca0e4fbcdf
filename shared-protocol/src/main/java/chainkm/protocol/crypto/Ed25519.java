package chainkm.protocol.crypto;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Ed25519 through Bouncy Castle's lightweight API (much faster than the JDK provider,
 * which matters on a Pi verifying rekey messages). Gateways sign ledger transactions
 * and rekey messages with it.
 */
public final class Ed25519 {
    public static final int PUBLIC_KEY_SIZE = Ed25519PublicKeyParameters.KEY_SIZE;
    public static final int PRIVATE_KEY_SIZE = Ed25519PrivateKeyParameters.KEY_SIZE;
    public static final int SIGNATURE_SIZE = Ed25519PrivateKeyParameters.SIGNATURE_SIZE;

    private Ed25519() {}

    /** A signing key pair. The private half never leaves this object except through {@link #privateKeyBytes()}. */
    public static final class KeyPair {
        private final Ed25519PrivateKeyParameters privateKey;
        private final byte[] publicKey;

        private KeyPair(Ed25519PrivateKeyParameters privateKey) {
            this.privateKey = privateKey;
            this.publicKey = privateKey.generatePublicKey().getEncoded();
        }

        public static KeyPair generate(SecureRandom random) {
            return new KeyPair(new Ed25519PrivateKeyParameters(random));
        }

        public static KeyPair fromPrivateKey(byte[] seed) {
            if (seed.length != PRIVATE_KEY_SIZE) {
                throw new IllegalArgumentException("an Ed25519 private key is " + PRIVATE_KEY_SIZE + " bytes");
            }
            return new KeyPair(new Ed25519PrivateKeyParameters(seed, 0));
        }

        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** For saving to a 0600 file only. */
        public byte[] privateKeyBytes() {
            return privateKey.getEncoded();
        }

        public byte[] sign(byte[] message, int offset, int length) {
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(true, privateKey);
            signer.update(message, offset, length);
            return signer.generateSignature();
        }

        @Override
        public String toString() {
            return "Ed25519.KeyPair[public=" + Hex.encode(publicKey) + "]";
        }
    }

    /** True when signature is a valid Ed25519 signature of message[offset, offset+length) under publicKey. */
    public static boolean verify(byte[] publicKey, byte[] message, int offset, int length, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_SIZE
                || signature == null || signature.length != SIGNATURE_SIZE) {
            return false;
        }
        Ed25519PublicKeyParameters key;
        try {
            key = new Ed25519PublicKeyParameters(publicKey, 0);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(message, offset, length);
        return verifier.verifySignature(signature);
    }
}
