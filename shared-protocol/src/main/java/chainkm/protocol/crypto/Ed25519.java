package chainkm.protocol.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 (RFC 8032) through the JDK's provider (SunEC, Java 15 and later). Gateways sign ledger
 * transactions and rekey messages with it; devices verify rekey messages.
 *
 * <p>Keys and signatures keep RFC 8032's raw formats: a 32-byte private key (the seed), a 32-byte
 * public key (the encoded point) and a 64-byte signature. Ed25519 is deterministic, so a key
 * signs a message with the same bytes whatever library computes it.
 */
public final class Ed25519 {
    public static final int PUBLIC_KEY_SIZE = 32;
    public static final int PRIVATE_KEY_SIZE = 32;
    public static final int SIGNATURE_SIZE = 64;

    private static final String ALGORITHM = "Ed25519";
    /** DER of SubjectPublicKeyInfo with algorithm id-Ed25519 (RFC 8410), up to the key's 32 bytes. */
    private static final byte[] X509_PREFIX = Hex.decode("302a300506032b6570032100");

    /** Bouncy Castle's Ed25519, when it is on the classpath (gateways): signing and verification several times faster. */
    private static final boolean FAST_VERIFY = present("org.bouncycastle.math.ec.rfc8032.Ed25519");

    private Ed25519() {}

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Ed25519.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Which implementation verifies signatures in this process (for logs and the bench). */
    public static String verifier() {
        return FAST_VERIFY ? "Bouncy Castle" : "JDK";
    }

    /** Kept apart so that the class is only loaded where Bouncy Castle is present. */
    private static final class BouncyCastleEd25519 {
        /**
         * Given the public key, Bouncy Castle skips recomputing it (a scalar multiplication, half
         * the cost of a signature). The key must be the seed's own: signing one message under two
         * public keys would reveal the private key, so only {@link KeyPair} calls this, with the
         * key it derived from the seed itself.
         */
        static byte[] sign(byte[] seed, byte[] publicKey, byte[] message, int offset, int length) {
            byte[] signature = new byte[SIGNATURE_SIZE];
            org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, offset, length, signature, 0);
            return signature;
        }

        static boolean verify(byte[] publicKey, byte[] message, int offset, int length, byte[] signature) {
            return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, offset, length);
        }
    }

    /** A signing key pair. The private half never leaves this object except through {@link #privateKeyBytes()}. */
    public static final class KeyPair {
        private final PrivateKey privateKey;
        private final byte[] publicKey;

        private KeyPair(PrivateKey privateKey, byte[] publicKey) {
            this.privateKey = privateKey;
            this.publicKey = publicKey;
        }

        /** A new key: 32 bytes from random as the private key, as RFC 8032 section 5.1.5 says. */
        public static KeyPair generate(SecureRandom random) {
            byte[] seed = new byte[PRIVATE_KEY_SIZE];
            random.nextBytes(seed);
            try {
                return fromPrivateKey(seed);
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        }

        public static KeyPair fromPrivateKey(byte[] seed) {
            if (seed == null || seed.length != PRIVATE_KEY_SIZE) {
                throw new IllegalArgumentException("an Ed25519 private key is " + PRIVATE_KEY_SIZE + " bytes");
            }
            try {
                PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM)
                        .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
                return new KeyPair(privateKey, publicKeyOf(seed));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK's Ed25519 is unavailable: " + e.getClass().getSimpleName());
            }
        }

        /**
         * The JDK has no call that derives the public key from a private one, but its key pair
         * generator draws the private key as exactly 32 bytes from its random source and computes
         * the public key from them: given a source that yields the seed, it computes ours.
         */
        private static byte[] publicKeyOf(byte[] seed) throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new SeedSource(seed));
            java.security.KeyPair pair = generator.generateKeyPair();
            byte[] drawn = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
            boolean same = Arrays.equals(drawn, seed);
            Arrays.fill(drawn, (byte) 0);
            if (!same) {
                throw new IllegalStateException("the JDK's Ed25519 key pair generator did not take the given private key");
            }
            return rawPublicKey(pair.getPublic());
        }

        public byte[] publicKey() {
            return publicKey.clone();
        }

        /** The private key as a JCA key, for a DTLS stack that signs with it (Scandium's raw public key identity). */
        public PrivateKey jcaPrivateKey() {
            return privateKey;
        }

        /** The public key as a JCA key (X.509 encoded), for a DTLS raw public key identity. */
        public PublicKey jcaPublicKey() {
            return toJcaPublicKey(publicKey);
        }

        /** For saving to a 0600 file only. */
        public byte[] privateKeyBytes() {
            return ((EdECPrivateKey) privateKey).getBytes()
                    .orElseThrow(() -> new IllegalStateException("the Ed25519 private key has no seed"));
        }

        public byte[] sign(byte[] message, int offset, int length) {
            if (FAST_VERIFY) {
                byte[] seed = privateKeyBytes();
                try {
                    return BouncyCastleEd25519.sign(seed, publicKey, message, offset, length);
                } finally {
                    Arrays.fill(seed, (byte) 0);
                }
            }
            return jdkSign(message, offset, length);
        }

        /** Signing by the JDK alone (what a device without Bouncy Castle would use; tests compare both). */
        byte[] jdkSign(byte[] message, int offset, int length) {
            try {
                Signature signer = Signature.getInstance(ALGORITHM);
                signer.initSign(privateKey);
                signer.update(message, offset, length);
                return signer.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 signing failed: " + e.getClass().getSimpleName());
            }
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
        if (FAST_VERIFY) {
            return BouncyCastleEd25519.verify(publicKey, message, offset, length, signature);
        }
        return jdkVerify(publicKey, message, offset, length, signature);
    }

    /** Verification by the JDK alone (what devices use; tests compare both). */
    static boolean jdkVerify(byte[] publicKey, byte[] message, int offset, int length, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_SIZE
                || signature == null || signature.length != SIGNATURE_SIZE) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(decodePublicKey(publicKey));
            verifier.update(message, offset, length);
            return verifier.verify(signature);
        } catch (InvalidKeyException | InvalidKeySpecException | SignatureException e) {
            return false; // not a point on the curve, a non-canonical encoding, or a malformed signature
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's Ed25519 is unavailable: " + e.getClass().getSimpleName());
        }
    }

    /** A raw 32-byte public key as a JCA key (for comparing with, or presenting as, a DTLS raw public key). */
    public static PublicKey toJcaPublicKey(byte[] raw) {
        if (raw == null || raw.length != PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an Ed25519 public key is " + PUBLIC_KEY_SIZE + " bytes");
        }
        try {
            return decodePublicKey(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getClass().getSimpleName());
        }
    }

    /**
     * The raw 32 bytes of a JCA public key when it is an Ed25519 key (what a DTLS peer presented
     * as its raw public key), empty for any other kind of key.
     */
    public static java.util.Optional<byte[]> rawOf(PublicKey key) {
        byte[] der = key == null ? null : key.getEncoded();
        if (der == null || der.length != X509_PREFIX.length + PUBLIC_KEY_SIZE
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Arrays.copyOfRange(der, X509_PREFIX.length, der.length));
    }

    private static PublicKey decodePublicKey(byte[] raw) throws GeneralSecurityException {
        byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + PUBLIC_KEY_SIZE);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, PUBLIC_KEY_SIZE);
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    }

    private static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != X509_PREFIX.length + PUBLIC_KEY_SIZE
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalStateException("unexpected encoding of an Ed25519 public key");
        }
        return Arrays.copyOfRange(der, X509_PREFIX.length, der.length);
    }

    /** A random source that yields one given 32-byte value, once. */
    private static final class SeedSource extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private transient byte[] seed;

        SeedSource(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (seed == null || bytes.length != seed.length) {
                throw new IllegalStateException("the Ed25519 key pair generator asked for other random bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
            Arrays.fill(seed, (byte) 0);
            seed = null;
        }
    }
}
