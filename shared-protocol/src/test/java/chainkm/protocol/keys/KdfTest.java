package chainkm.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import chainkm.protocol.crypto.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

class KdfTest {
    private final Random random = new Random(5869);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** RFC 5869 written out on the JDK's HMAC-SHA256, as a second implementation. */
    private static byte[] referenceHkdf(byte[] ikm, byte[] salt, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        ByteArrayOutputStream okm = new ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int i = 1; okm.size() < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            okm.writeBytes(t);
        }
        return Arrays.copyOf(okm.toByteArray(), length);
    }

    @Test
    void reproducesRfc5869TestCase1() throws Exception {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] salt = Hex.decode("000102030405060708090a0b0c");
        byte[] info = Hex.decode("f0f1f2f3f4f5f6f7f8f9");
        byte[] okm = Hex.decode("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

        assertArrayEquals(okm, referenceHkdf(ikm, salt, info, 42), "reference implementation");
        assertArrayEquals(okm, Kdf.derive(ikm, salt, info, 42));
    }

    @Test
    void reproducesRfc5869TestCase3WithoutSaltOrInfo() throws Exception {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] okm = Hex.decode("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");

        assertArrayEquals(okm, referenceHkdf(ikm, new byte[0], new byte[0], 42), "reference implementation");
        assertArrayEquals(okm, Kdf.derive(ikm, null, (byte[]) null, 42));
        assertArrayEquals(okm, Kdf.derive(ikm, new byte[0], "", 42));
    }

    @Test
    void agreesWithTheReferenceOnRandomInputs() throws Exception {
        for (int i = 0; i < 20; i++) {
            byte[] ikm = bytes(1 + random.nextInt(64));
            byte[] salt = bytes(random.nextInt(40));
            String info = "info-" + i;
            int length = 1 + random.nextInt(100);
            assertArrayEquals(referenceHkdf(ikm, salt, info.getBytes(StandardCharsets.UTF_8), length),
                    Kdf.derive(ikm, salt, info, length));
        }
    }

    @Test
    void rollForwardIsHkdfWithTheRefreshKeyAsSaltAndALabelledInfo() throws Exception {
        byte[] key = bytes(16);
        byte[] refresh = bytes(16);
        byte[] rolled = Kdf.rollForward(key, refresh, "sk:3");
        assertEquals(16, rolled.length);
        assertArrayEquals(referenceHkdf(key, refresh, "chainkm/v1/sk:3".getBytes(StandardCharsets.UTF_8), 16), rolled);
    }

    @Test
    void rollForwardIsDeterministicAndSeparatesRefreshKeysLabelsAndKeys() {
        byte[] key = bytes(16);
        byte[] refresh = bytes(16);
        byte[] rolled = Kdf.rollForward(key, refresh, "pnk:12-40");
        assertArrayEquals(rolled, Kdf.rollForward(key.clone(), refresh.clone(), "pnk:12-40"));
        assertFalse(Arrays.equals(rolled, Kdf.rollForward(key, bytes(16), "pnk:12-40")));
        assertFalse(Arrays.equals(rolled, Kdf.rollForward(key, refresh, "pnk:12-41")));
        assertFalse(Arrays.equals(rolled, Kdf.rollForward(bytes(16), refresh, "pnk:12-40")));
        assertFalse(Arrays.equals(rolled, key));
    }

    @Test
    void refusesWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> Kdf.rollForward(new byte[15], new byte[16], "x"));
        assertThrows(IllegalArgumentException.class, () -> Kdf.rollForward(new byte[16], new byte[32], "x"));
        assertThrows(IllegalArgumentException.class, () -> Kdf.derive(new byte[16], null, "x", 0));
        assertThrows(IllegalArgumentException.class, () -> Kdf.derive(new byte[16], null, "x", 255 * 32 + 1));
        assertEquals(255 * 32, Kdf.derive(new byte[16], null, "x", 255 * 32).length);
    }

    @Test
    void reproducesRfc5869TestCase2WithLongInputs() {
        byte[] ikm = new byte[80];
        byte[] salt = new byte[80];
        byte[] info = new byte[80];
        for (int i = 0; i < 80; i++) {
            ikm[i] = (byte) i;
            salt[i] = (byte) (0x60 + i);
            info[i] = (byte) (0xb0 + i);
        }
        byte[] okm = Hex.decode("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                + "cc30c58179ec3e87c14c01d5c1f3434f1d87");
        assertArrayEquals(okm, Kdf.derive(ikm, salt, info, 82));
    }

    /** Bouncy Castle's HKDF (test scope only), the implementation chainkm used before. */
    private static byte[] bouncyCastle(byte[] ikm, byte[] salt, byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(SHA256Digest.newInstance());
        hkdf.init(new HKDFParameters(ikm, salt == null || salt.length == 0 ? null : salt, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    @Test
    void agreesWithBouncyCastleOnRandomInputsAndEveryOutputLength() {
        for (int i = 0; i < 300; i++) {
            byte[] ikm = bytes(random.nextInt(80));
            byte[] salt = i % 7 == 0 ? null : bytes(random.nextInt(80));
            byte[] info = i % 5 == 0 ? new byte[0] : bytes(random.nextInt(80));
            int length = i < 100 ? 1 + i : 1 + random.nextInt(Kdf.MAX_OUTPUT);
            assertArrayEquals(bouncyCastle(ikm, salt, info, length), Kdf.derive(ikm, salt, info, length), "case " + i);
        }
        byte[] key = bytes(16);
        byte[] refresh = bytes(16);
        assertArrayEquals(bouncyCastle(key, refresh, "chainkm/v1/sk:7".getBytes(StandardCharsets.UTF_8), 16),
                Kdf.rollForward(key, refresh, "sk:7"));
        assertArrayEquals(bouncyCastle(key, null, null, Kdf.MAX_OUTPUT), Kdf.derive(key, null, (byte[]) null, Kdf.MAX_OUTPUT));
    }
}
