package chainkm.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainkm.protocol.crypto.Hex;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AesCcmTest {
    private final Random random = new Random(20200601);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] flip(byte[] data, int bit) {
        byte[] copy = data.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    @Test
    void reproducesRfc3610PacketVector1() throws Exception {
        // RFC 3610 section 8, packet vector #1: M = 8, L = 2, 8 header bytes, 23 payload bytes
        byte[] key = Hex.decode("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
        byte[] nonce = Hex.decode("00000003020100a0a1a2a3a4a5");
        byte[] aad = Hex.decode("0001020304050607");
        byte[] plaintext = Hex.decode("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
        byte[] expected = Hex.decode("588c979a61c663d2f066d0c2c0f989806d5f6b61dac384" + "17e8d12cfdf926e0");

        assertArrayEquals(expected, ReferenceCcm.seal(key, nonce, aad, plaintext), "reference implementation");
        assertArrayEquals(expected, AesCcm.seal(key, nonce, aad, plaintext));
        assertArrayEquals(plaintext, AesCcm.open(key, nonce, aad, expected));
    }

    @Test
    void agreesWithAnIndependentImplementationOnRandomInputs() throws Exception {
        int[] plaintextSizes = {0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 4096};
        for (int i = 0; i < 40; i++) {
            byte[] key = bytes(16);
            byte[] nonce = bytes(13);
            byte[] aad = bytes(i % 5 == 0 ? 0 : random.nextInt(300));
            byte[] plaintext = bytes(i < plaintextSizes.length ? plaintextSizes[i] : random.nextInt(2000));
            byte[] sealed = AesCcm.seal(key, nonce, aad, plaintext);
            assertEquals(plaintext.length + AesCcm.TAG_SIZE, sealed.length);
            assertArrayEquals(ReferenceCcm.seal(key, nonce, aad, plaintext), sealed, "case " + i);
            assertArrayEquals(plaintext, AesCcm.open(key, nonce, aad, sealed));
        }
    }

    @Test
    void nullAadMeansEmptyAad() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] sealed = AesCcm.seal(key, nonce, null, bytes(20));
        assertArrayEquals(AesCcm.open(key, nonce, new byte[0], sealed), AesCcm.open(key, nonce, null, sealed));
    }

    @Test
    void roundTripsTheLargestMessage() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] plaintext = bytes(AesCcm.MAX_PLAINTEXT_SIZE);
        assertArrayEquals(plaintext, AesCcm.open(key, nonce, null, AesCcm.seal(key, nonce, null, plaintext)));
        assertThrows(IllegalArgumentException.class,
                () -> AesCcm.seal(key, nonce, null, new byte[AesCcm.MAX_PLAINTEXT_SIZE + 1]));
        assertThrows(AuthenticationException.class,
                () -> AesCcm.open(key, nonce, null, new byte[AesCcm.MAX_PLAINTEXT_SIZE + AesCcm.TAG_SIZE + 1]));
    }

    @Test
    void refusesEverySingleBitFlipOfCiphertextTagAadAndNonce() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] aad = bytes(21);
        byte[] sealed = AesCcm.seal(key, nonce, aad, bytes(37));
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] tampered = flip(sealed, bit);
            assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, aad, tampered), "ciphertext bit " + bit);
        }
        for (int bit = 0; bit < aad.length * 8; bit++) {
            byte[] tampered = flip(aad, bit);
            assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, tampered, sealed), "aad bit " + bit);
        }
        for (int bit = 0; bit < nonce.length * 8; bit++) {
            byte[] tampered = flip(nonce, bit);
            assertThrows(AuthenticationException.class, () -> AesCcm.open(key, tampered, aad, sealed), "nonce bit " + bit);
        }
        for (int bit = 0; bit < key.length * 8; bit++) {
            byte[] tampered = flip(key, bit);
            assertThrows(AuthenticationException.class, () -> AesCcm.open(tampered, nonce, aad, sealed), "key bit " + bit);
        }
    }

    @Test
    void refusesWrongKeyMissingAadTruncationAndExtension() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] aad = bytes(5);
        byte[] sealed = AesCcm.seal(key, nonce, aad, bytes(40));
        assertThrows(AuthenticationException.class, () -> AesCcm.open(bytes(16), nonce, aad, sealed));
        assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, null, sealed));
        for (int n = 0; n < sealed.length; n++) {
            byte[] truncated = Arrays.copyOf(sealed, n);
            assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, aad, truncated), "length " + n);
        }
        byte[] extended = Arrays.copyOf(sealed, sealed.length + 1);
        assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, aad, extended));
    }

    @Test
    void refusalsNameNoBouncyCastleExceptionAndNoKey() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] sealed = AesCcm.seal(key, nonce, null, bytes(10));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> AesCcm.open(key, nonce, null, flip(sealed, 3)));
        assertNull(e.getCause());
        assertFalse(e.getMessage().contains(Hex.encode(key)));
    }

    @Test
    void refusesWrongParameterSizes() {
        assertThrows(IllegalArgumentException.class, () -> AesCcm.seal(new byte[32], new byte[13], null, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> AesCcm.seal(new byte[16], new byte[12], null, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> AesCcm.open(new byte[15], new byte[13], null, new byte[9]));
        assertThrows(IllegalArgumentException.class, () -> AesCcm.open(new byte[16], new byte[7], null, new byte[9]));
    }
}
