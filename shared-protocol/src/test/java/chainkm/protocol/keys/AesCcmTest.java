package chainkm.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainkm.protocol.crypto.Hex;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
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

    /** Bouncy Castle's CCM (test scope only), the implementation chainkm used before. */
    private static byte[] bouncyCastle(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] input)
            throws InvalidCipherTextException {
        CCMModeCipher cipher = CCMBlockCipher.newInstance(AESEngine.newInstance());
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), AesCcm.TAG_SIZE * 8, nonce, aad));
        byte[] out = new byte[cipher.getOutputSize(input.length)];
        int n = cipher.processBytes(input, 0, input.length, out, 0);
        n += cipher.doFinal(out, n);
        return Arrays.copyOf(out, n);
    }

    private static void assertVector(String key, String nonce, String aad, String plaintext, String ciphertext, int tag)
            throws Exception {
        byte[] k = Hex.decode(key);
        byte[] n = Hex.decode(nonce);
        byte[] a = Hex.decode(aad);
        byte[] p = Hex.decode(plaintext);
        byte[] c = Hex.decode(ciphertext);
        assertArrayEquals(c, AesCcm.seal(k, n, a, p, tag), "seal, nonce " + nonce);
        assertArrayEquals(p, AesCcm.open(k, n, a, c, tag), "open, nonce " + nonce);
        if (tag == AesCcm.TAG_SIZE) {
            assertArrayEquals(c, AesCcm.seal(k, n, a, p));
            assertArrayEquals(p, AesCcm.open(k, n, a, c));
        }
    }

    @Test
    void reproducesEveryRfc3610PacketVectorWithAnEightByteTag() throws Exception {
        // RFC 3610 section 8, M = 8, L = 2: packet vectors #1-#6 and #13-#18 (header = aad, the
        // encrypted payload and the tag follow it in the packet)
        String k1 = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
        String k2 = "d7828d13b2b0bdc325a76236df93cc6b";
        String[][] vectors = {
            {k1, "00000003020100a0a1a2a3a4a5", "0001020304050607",
                "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
                "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"},
            {k1, "00000004030201a0a1a2a3a4a5", "0001020304050607",
                "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916"},
            {k1, "00000005040302a0a1a2a3a4a5", "0001020304050607",
                "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
                "51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5"},
            {k1, "00000006050403a0a1a2a3a4a5", "000102030405060708090a0b",
                "0c0d0e0f101112131415161718191a1b1c1d1e",
                "a28c6865939a9a79faaa5c4c2a9d4a91cdac8c96c861b9c9e61ef1"},
            {k1, "00000007060504a0a1a2a3a4a5", "000102030405060708090a0b",
                "0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "dcf1fb7b5d9e23fb9d4e131253658ad86ebdca3e51e83f077d9c2d93"},
            {k1, "00000008070605a0a1a2a3a4a5", "000102030405060708090a0b",
                "0c0d0e0f101112131415161718191a1b1c1d1e1f20",
                "6fc1b011f006568b5171a42d953d469b2570a4bd87405a0443ac91cb94"},
            {k2, "00412b4ea9cdbe3c9696766cfa", "0be1a88bace018b1",
                "08e8cf97d820ea258460e96ad9cf5289054d895ceac47c",
                "4cb97f86a2a4689a877947ab8091ef5386a6ffbdd080f8e78cf7cb0cddd7b3"},
            {k2, "0033568ef7b2633c9696766cfa", "63018f76dc8a1bcb",
                "9020ea6f91bdd85afa0039ba4baff9bfb79c7028949cd0ec",
                "4ccb1e7ca981befaa0726c55d378061298c85c92814abc33c52ee81d7d77c08a"},
            {k2, "00103fe41336713c9696766cfa", "aa6cfa36cae86b40",
                "b916e0eacc1c00d7dcec68ec0b3bbb1a02de8a2d1aa346132e",
                "b1d23a2220ddc0ac900d9aa03c61fcf4a559a4417767089708a776796edb723506"},
            {k2, "00764c63b8058e3c9696766cfa", "d0d0735c531e1becf049c244",
                "12daac5630efa5396f770ce1a66b21f7b2101c",
                "14d253c3967b70609b7cbb7c499160283245269a6f49975bcadeaf"},
            {k2, "00f8b678094e3b3c9696766cfa", "77b60f011c03e1525899bcae",
                "e88b6a46c78d63e52eb8c546efb5de6f75e9cc0d",
                "5545ff1a085ee2efbf52b2e04bee1e2336c73e3f762c0c7744fe7e3c"},
            {k2, "00d560912d3f703c9696766cfa", "cd9044d2b71fdb8120ea60c0",
                "6435acbafb11a82e2f071d7ca4a5ebd93a803ba87f",
                "009769ecabdf48625594c59251e6035722675e04c847099e5ae0704551"},
        };
        for (String[] v : vectors) {
            assertVector(v[0], v[1], v[2], v[3], v[4], AesCcm.TAG_SIZE);
        }
    }

    @Test
    void reproducesSp80038cExample4WithA65536ByteAad() throws Exception {
        // NIST SP 800-38C appendix C.4: 13-byte nonce, 14-byte tag, 2^16 bytes of associated data
        // (0x00..0xff repeated), whose length takes the six-byte encoding 0xfffe || [a]_32
        byte[] aad = new byte[65536];
        for (int i = 0; i < aad.length; i++) {
            aad[i] = (byte) i;
        }
        assertVector("404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b1c", Hex.encode(aad),
                "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
                "69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72b4ac6bec93e8598e7f0dadbcea5b", 14);
    }

    @Test
    void reproducesIeee802154BeaconVectorWithAnEmptyPayload() throws Exception {
        // IEEE 802.15.4-2011 annex C.2.1: CCM* with M = 8 and nothing to encrypt (a MAC only)
        assertVector("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "acde4800000000010000000502",
                "08d0842143010000000048deac020500000055cf000051525354", "", "223bc1ec841ab553", 8);
    }

    @Test
    void agreesWithBouncyCastleOnEveryLengthUpTo300() throws Exception {
        for (int length = 0; length <= 300; length++) {
            for (int round = 0; round < 3; round++) {
                byte[] key = bytes(16);
                byte[] nonce = bytes(13);
                byte[] aad = bytes(round == 0 ? 0 : random.nextInt(101));
                byte[] plaintext = bytes(length);
                byte[] sealed = AesCcm.seal(key, nonce, aad, plaintext);
                String what = "length " + length + ", aad " + aad.length;
                assertArrayEquals(bouncyCastle(true, key, nonce, aad, plaintext), sealed, what);
                assertArrayEquals(plaintext, bouncyCastle(false, key, nonce, aad, sealed), what);
                assertArrayEquals(plaintext, AesCcm.open(key, nonce, aad, sealed), what);
                // a flipped bit anywhere: refused by both
                byte[] tampered = flip(sealed, random.nextInt(sealed.length * 8));
                assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, aad, tampered), what);
                assertThrows(InvalidCipherTextException.class, () -> bouncyCastle(false, key, nonce, aad, tampered), what);
            }
        }
    }

    @Test
    void agreesWithBouncyCastleOnEveryAadLengthUpTo100AndOnLongAad() throws Exception {
        int[] extra = {0xFEFF, 0xFF00, 0xFF01, 70000};
        for (int i = 0; i <= 100 + extra.length; i++) {
            int aadLength = i <= 100 ? i : extra[i - 101];
            byte[] key = bytes(16);
            byte[] nonce = bytes(13);
            byte[] aad = bytes(aadLength);
            byte[] plaintext = bytes(random.nextInt(300));
            byte[] sealed = AesCcm.seal(key, nonce, aad, plaintext);
            assertArrayEquals(bouncyCastle(true, key, nonce, aad, plaintext), sealed, "aad " + aadLength);
            assertArrayEquals(plaintext, AesCcm.open(key, nonce, aad, sealed), "aad " + aadLength);
        }
    }

    @Test
    void agreesWithBouncyCastleOnTheLargestMessage() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] aad = bytes(7);
        byte[] plaintext = bytes(AesCcm.MAX_PLAINTEXT_SIZE);
        assertArrayEquals(bouncyCastle(true, key, nonce, aad, plaintext), AesCcm.seal(key, nonce, aad, plaintext));
    }

    @Test
    void refusesATagOfAnotherMessageOrNonceAndLeavesNoPlaintext() throws Exception {
        byte[] key = bytes(16);
        byte[] nonce = bytes(13);
        byte[] first = AesCcm.seal(key, nonce, null, bytes(32));
        byte[] second = AesCcm.seal(key, bytes(13), null, bytes(32));
        // the first message's body with the second one's tag
        byte[] spliced = first.clone();
        System.arraycopy(second, 32, spliced, 32, AesCcm.TAG_SIZE);
        assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, null, spliced));
        // an all-zero tag, and a message cut to its tag alone
        byte[] zeroTag = first.clone();
        Arrays.fill(zeroTag, 32, zeroTag.length, (byte) 0);
        assertThrows(AuthenticationException.class, () -> AesCcm.open(key, nonce, null, zeroTag));
        assertThrows(AuthenticationException.class,
                () -> AesCcm.open(key, nonce, null, Arrays.copyOfRange(first, 32, first.length)));
    }

    @Test
    void refusesTagSizesCcmDoesNotDefine() {
        for (int tag : new int[] {0, 2, 3, 5, 17, 18}) {
            assertThrows(IllegalArgumentException.class, () -> AesCcm.seal(new byte[16], new byte[13], null, new byte[1], tag));
        }
    }
}
