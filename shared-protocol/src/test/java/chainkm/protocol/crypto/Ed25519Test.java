package chainkm.protocol.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

/** Ed25519 on the JDK, against RFC 8032's vectors and Bouncy Castle (test scope only). */
class Ed25519Test {
    /** The order of the base point, L = 2^252 + 27742317777372353535851937790883648493. */
    private static final BigInteger ORDER = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));

    private final Random random = new Random(8032);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] bcSign(byte[] seed, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    private static boolean bcVerify(byte[] publicKey, byte[] message, byte[] signature) {
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    /** Verifies with what this process uses (Bouncy Castle here) and checks the JDK-only path devices use agrees. */
    private static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        boolean result = Ed25519.verify(publicKey, message, 0, message.length, signature);
        org.junit.jupiter.api.Assertions.assertEquals(result,
                Ed25519.jdkVerify(publicKey, message, 0, message.length, signature), "the JDK and Bouncy Castle disagree");
        return result;
    }

    @Test
    void reproducesRfc8032TestVectors1To3() {
        // RFC 8032 section 7.1, TEST 1, 2 and 3: secret key, public key, message, signature
        String[][] vectors = {
            {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
            {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
            {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
        };
        for (String[] v : vectors) {
            Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(Hex.decode(v[0]));
            byte[] message = Hex.decode(v[2]);
            assertEquals(v[1], Hex.encode(key.publicKey()));
            assertEquals(v[3], Hex.encode(key.sign(message, 0, message.length)));
            assertTrue(verify(Hex.decode(v[1]), message, Hex.decode(v[3])));
        }
    }

    @Test
    void keysAndSignaturesAreByteIdenticalToBouncyCastles() {
        for (int i = 0; i < 200; i++) {
            byte[] seed = bytes(32);
            byte[] message = bytes(random.nextInt(i < 100 ? 64 : 2000));
            Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(seed);
            byte[] bcPublic = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            assertArrayEquals(bcPublic, key.publicKey(), "public key " + i);
            assertArrayEquals(seed, key.privateKeyBytes(), "private key " + i);
            byte[] signature = key.sign(message, 0, message.length);
            assertEquals(Ed25519.SIGNATURE_SIZE, signature.length);
            assertArrayEquals(bcSign(seed, message), signature, "signature " + i);
            assertArrayEquals(key.jdkSign(message, 0, message.length), signature, "JDK signature " + i);
            assertTrue(bcVerify(bcPublic, message, signature));
            assertTrue(verify(bcPublic, message, bcSign(seed, message)));
        }
    }

    @Test
    void generateDrawsTheSame32BytesAsBouncyCastleDid() throws Exception {
        SecureRandom ours = SecureRandom.getInstance("SHA1PRNG");
        ours.setSeed(42);
        SecureRandom theirs = SecureRandom.getInstance("SHA1PRNG");
        theirs.setSeed(42);
        for (int i = 0; i < 5; i++) {
            Ed25519.KeyPair key = Ed25519.KeyPair.generate(ours);
            Ed25519PrivateKeyParameters bc = new Ed25519PrivateKeyParameters(theirs);
            assertArrayEquals(bc.getEncoded(), key.privateKeyBytes());
            assertArrayEquals(bc.generatePublicKey().getEncoded(), key.publicKey());
        }
        assertFalse(Arrays.equals(Ed25519.KeyPair.generate(new SecureRandom()).publicKey(),
                Ed25519.KeyPair.generate(new SecureRandom()).publicKey()));
    }

    @Test
    void signsAndVerifiesASliceOfABuffer() {
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(bytes(32));
        byte[] buffer = bytes(100);
        byte[] slice = Arrays.copyOfRange(buffer, 10, 60);
        byte[] signature = key.sign(buffer, 10, 50);
        assertArrayEquals(key.sign(slice, 0, slice.length), signature);
        assertTrue(Ed25519.verify(key.publicKey(), buffer, 10, 50, signature));
        assertFalse(Ed25519.verify(key.publicKey(), buffer, 11, 50, signature));
    }

    @Test
    void refusesEverySingleBitFlipOfSignatureMessageAndKey() {
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(bytes(32));
        byte[] message = bytes(40);
        byte[] signature = key.sign(message, 0, message.length);
        byte[] publicKey = key.publicKey();
        for (int bit = 0; bit < signature.length * 8; bit++) {
            byte[] s = signature.clone();
            s[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(verify(publicKey, message, s), "signature bit " + bit);
        }
        for (int bit = 0; bit < message.length * 8; bit++) {
            byte[] m = message.clone();
            m[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(verify(publicKey, m, signature), "message bit " + bit);
        }
        for (int bit = 0; bit < publicKey.length * 8; bit++) {
            byte[] p = publicKey.clone();
            p[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(verify(p, message, signature), "public key bit " + bit);
        }
    }

    @Test
    void refusesAMalleatedSignatureWithSPlusTheGroupOrder() {
        // (R, S + L) verifies the same equation; RFC 8032 section 5.1.7 requires S < L, and so do both
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(bytes(32));
        byte[] message = bytes(20);
        byte[] signature = key.sign(message, 0, message.length);
        byte[] sLittleEndian = Arrays.copyOfRange(signature, 32, 64);
        BigInteger s = new BigInteger(1, reversed(sLittleEndian)).add(ORDER);
        byte[] sPlusL = reversed(toBigEndian32(s));
        byte[] malleated = signature.clone();
        System.arraycopy(sPlusL, 0, malleated, 32, 32);
        assertFalse(bcVerify(key.publicKey(), message, malleated));
        assertFalse(verify(key.publicKey(), message, malleated));
    }

    @Test
    void refusesMalformedKeysAndSignaturesWithoutThrowing() {
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(bytes(32));
        byte[] message = bytes(20);
        byte[] signature = key.sign(message, 0, message.length);
        assertFalse(verify(null, message, signature));
        assertFalse(verify(new byte[31], message, signature));
        assertFalse(verify(key.publicKey(), message, null));
        assertFalse(verify(key.publicKey(), message, Arrays.copyOf(signature, 63)));
        assertFalse(verify(key.publicKey(), message, new byte[64]));
        // y = p (not canonical) and points whose y has no x on the curve
        byte[] notCanonical = reversed(toBigEndian32(BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19))));
        assertFalse(verify(notCanonical, message, signature));
        for (int i = 0; i < 50; i++) {
            assertFalse(verify(bytes(32), message, signature));
        }
        assertThrows(IllegalArgumentException.class, () -> Ed25519.KeyPair.fromPrivateKey(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.KeyPair.fromPrivateKey(null));
    }

    @Test
    void toStringShowsThePublicKeyOnly() {
        byte[] seed = bytes(32);
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(seed);
        assertTrue(key.toString().contains(Hex.encode(key.publicKey())));
        assertFalse(key.toString().contains(Hex.encode(seed)));
    }

    private static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }

    private static byte[] toBigEndian32(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(32, raw.length);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }
}
