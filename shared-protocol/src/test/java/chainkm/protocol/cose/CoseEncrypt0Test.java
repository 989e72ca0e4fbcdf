package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CoseEncrypt0Test {
    private final Random random = new Random(9052);
    private final byte[] key = bytes(16);
    private final byte[] iv = bytes(13);
    private final byte[] aad = "device-7/temperature".getBytes(StandardCharsets.US_ASCII);
    private final byte[] plaintext = "21.5 C".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** A tagged Encrypt0 written by hand: protected bucket bytes, unprotected map bytes, ciphertext bytes. */
    private static byte[] message(String protectedHex, String unprotectedHex, byte[] ciphertext) {
        byte[] p = Hex.decode(protectedHex);
        return concat(Hex.decode("d083"), new CborWriter().bytes(p).toByteArray(), Hex.decode(unprotectedHex),
                new CborWriter().bytes(ciphertext).toByteArray());
    }

    @Test
    void roundTripsTaggedAndUntagged() throws Exception {
        byte[] kid = {7};
        CoseEncrypt0 m = CoseEncrypt0.encrypt(key, iv, kid, aad, plaintext);
        assertEquals(0xd0, m.encodeTagged()[0] & 0xff, "CBOR tag 16");
        assertEquals(0x83, m.encode()[0] & 0xff, "an array of 3");
        for (byte[] wire : new byte[][] {m.encodeTagged(), m.encode()}) {
            CoseEncrypt0 back = CoseEncrypt0.decode(wire);
            assertArrayEquals(plaintext, back.decrypt(key, aad));
            assertArrayEquals(kid, back.unprotectedHeaders().kid());
            assertArrayEquals(iv, back.unprotectedHeaders().iv());
            assertEquals(10L, back.protectedHeaders().alg());
            assertArrayEquals(Hex.decode("a1010a"), back.protectedBytes());
            assertEquals(plaintext.length + 8, back.ciphertext().length);
        }
    }

    @Test
    void anyChangeOrAnotherKeyOrAadFailsAuthentication() throws Exception {
        byte[] wire = CoseEncrypt0.encrypt(key, iv, null, aad, plaintext).encodeTagged();
        assertThrows(AuthenticationException.class, () -> CoseEncrypt0.decode(wire).decrypt(bytes(16), aad));
        assertThrows(AuthenticationException.class, () -> CoseEncrypt0.decode(wire).decrypt(key, new byte[0]));
        assertThrows(AuthenticationException.class, () -> CoseEncrypt0.decode(wire).decrypt(key, null));
        // every bit of the IV and of the ciphertext (its last 8 + n bytes) is covered
        int ivAt = 9; // d0 83 43 a1010a a1 05 4d, then the IV
        for (int bit = 0; bit < 8 * 13; bit++) {
            byte[] changed = wire.clone();
            changed[ivAt + bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(AuthenticationException.class, () -> CoseEncrypt0.decode(changed).decrypt(key, aad));
        }
        for (int i = wire.length - plaintext.length - 8; i < wire.length; i++) {
            byte[] changed = wire.clone();
            changed[i] ^= 0x01;
            assertThrows(AuthenticationException.class, () -> CoseEncrypt0.decode(changed).decrypt(key, aad));
        }
    }

    @Test
    void aProtectedHeaderChangedToAnotherValidOneFailsAuthentication() throws Exception {
        CoseEncrypt0 m = CoseEncrypt0.encrypt(key, iv, null, aad, plaintext);
        // {1: 10, 3: 0}: still alg 10, so it decodes, but the Enc_structure differs
        byte[] changed = message("a2010a0300", "a1054d" + Hex.encode(iv), m.ciphertext());
        CoseEncrypt0 decoded = CoseEncrypt0.decode(changed);
        assertEquals(0, decoded.protectedHeaders().contentType());
        assertThrows(AuthenticationException.class, () -> decoded.decrypt(key, aad));
    }

    @Test
    void refusesOtherAlgorithmsAndMisplacedHeaders() {
        byte[] ct = bytes(20);
        String ivMap = "a1054d" + Hex.encode(iv);
        assertRefused(message("a10101", ivMap, ct), "alg 1 is not AES-CCM-16-64-128");
        assertRefused(message("a1010c", ivMap, ct), "alg 12 is not AES-CCM-16-64-128");
        assertRefused(message("", "a2010a054d" + Hex.encode(iv), ct), "no alg in the protected header (an unprotected alg");
        assertRefused(message("a0", ivMap, ct), "no alg in the protected header");
        assertRefused(message("a1010a", "a0", ct), "no IV and no Partial IV");
        assertRefused(message("a2010a054d" + Hex.encode(iv), "a0", ct), "belong in the unprotected header");
        assertRefused(message("a1010a", "a20300054d" + Hex.encode(iv), ct), "belong in the protected header");
        assertRefused(message("a1010a", "a2" + "004100" + "054d" + Hex.encode(iv), ct), "header label 0");
        assertRefused(message("a1010a", "a2054d" + Hex.encode(iv) + "4100", ct), "label is a byte string, not an integer");
        assertRefused(message("a1010a", "a2054d" + Hex.encode(iv) + "0642" + "0001", ct),
                "IV and Partial IV are both present");
        assertRefused(message("a2010a0281" + "03", ivMap, ct), "header label 2");
        assertRefused(message("a2010a" + "3863" + "00", ivMap, ct), "header label -100");
    }

    @Test
    void refusesWrongSizes() {
        assertRefused(message("a1010a", "a1054c" + Hex.encode(bytes(12)), bytes(20)), "IV of 12 bytes, 13 expected");
        assertRefused(message("a1010a", "a1054e" + Hex.encode(bytes(14)), bytes(20)), "IV of 14 bytes, 13 expected");
        assertRefused(message("a1010a", "a1054d" + Hex.encode(iv), bytes(7)), "shorter than the 8-byte tag");
        assertRefused(message("a1010a", "a20440054d" + Hex.encode(iv), bytes(20)), "kid is 0 bytes");
        assertRefused(new byte[CoseEncrypt0.MAX_SIZE + 1], "bytes, at most");
        assertRefused(new byte[0], "missing");
        assertThrows(IllegalArgumentException.class, () -> CoseEncrypt0.encrypt(key, bytes(12), null, aad, plaintext));
        assertThrows(IllegalArgumentException.class, () -> CoseEncrypt0.encrypt(bytes(32), iv, null, aad, plaintext));
    }

    @Test
    void refusesAnythingButTheDeterministicEncodingOfOneMessage() {
        byte[] good = CoseEncrypt0.encrypt(key, iv, null, aad, plaintext).encodeTagged();
        assertRefused(concat(good, new byte[] {0}), "1 bytes follow the message");
        assertRefused(concat(Hex.decode("d8"), new byte[] {0x10}, Arrays.copyOfRange(good, 1, good.length)),
                "preferred (shortest) encoding");
        assertRefused(concat(Hex.decode("d2"), Arrays.copyOfRange(good, 1, good.length)), "CBOR tag 18, not 16");
        assertRefused(concat(Hex.decode("d0d0"), Arrays.copyOfRange(good, 1, good.length)), "is a tag, not an array");
        assertRefused(concat(Hex.decode("d09f"), Arrays.copyOfRange(good, 2, good.length), Hex.decode("ff")),
                "indefinite length");
        assertRefused(concat(Hex.decode("d084"), Arrays.copyOfRange(good, 2, good.length), Hex.decode("40")),
                "an array of 4 items, not 3");
        assertRefused(Arrays.copyOf(good, good.length - 1), "remain");
        // labels out of order, repeated, or an integer longer than needed
        assertRefused(message("a1010a", "a2054d" + Hex.encode(iv) + "0441" + "07", bytes(20)), "deterministic order");
        assertRefused(message("a1010a", "a2054d" + Hex.encode(iv) + "054d" + Hex.encode(iv), bytes(20)), "repeated");
        assertRefused(message("a118010a", "a1054d" + Hex.encode(iv), bytes(20)), "preferred (shortest) encoding");
        // the ciphertext as a text string, a float where alg should be
        byte[] asText = good.clone();
        asText[good.length - plaintext.length - 8 - 1] = (byte) (0x60 | (plaintext.length + 8));
        assertRefused(asText, "the ciphertext is a text string");
        assertRefused(message("a101f93c00", "a1054d" + Hex.encode(iv), bytes(20)), "alg is a float or simple value");
    }

    @Test
    void errorsNameTheRuleButNeverTheKeyOrPlaintext() throws Exception {
        byte[] wire = CoseEncrypt0.encrypt(key, iv, null, aad, plaintext).encodeTagged();
        wire[wire.length - 1] ^= 1;
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> CoseEncrypt0.decode(wire).decrypt(key, aad));
        assertFalse(e.getMessage().contains(Hex.encode(key)));
        assertFalse(e.getMessage().contains(Hex.encode(key).toUpperCase()));
        assertNull(e.getCause());
        String described = CoseEncrypt0.decode(wire).toString();
        assertFalse(described.contains(Hex.encode(CoseEncrypt0.decode(wire).ciphertext())));
    }

    private static void assertRefused(byte[] bytes, String reason) {
        CoseFormatException e = assertThrows(CoseFormatException.class, () -> CoseEncrypt0.decode(bytes));
        assertTrue(e.getMessage().startsWith("COSE_Encrypt0"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }
}
