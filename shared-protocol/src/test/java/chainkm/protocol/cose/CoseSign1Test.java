package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CoseSign1Test {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair key = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] payload = "a reading".getBytes(StandardCharsets.US_ASCII);
    private final byte[] aad = {1, 2, 3};

    @Test
    void roundTripsTaggedAndUntagged() throws Exception {
        CoseSign1 m = CoseSign1.sign(key, 16, new byte[] {9}, aad, payload);
        assertEquals(0xd2, m.encodeTagged()[0] & 0xff, "CBOR tag 18");
        assertArrayEquals(Hex.decode("a201270310"), m.protectedBytes());
        for (byte[] wire : new byte[][] {m.encodeTagged(), m.encode()}) {
            CoseSign1 back = CoseSign1.decode(wire);
            assertArrayEquals(payload, back.verify(key.publicKey(), aad));
            assertEquals(-8L, back.protectedHeaders().alg());
            assertEquals(16, back.protectedHeaders().contentType());
            assertArrayEquals(new byte[] {9}, back.unprotectedHeaders().kid());
        }
        CoseSign1 bare = CoseSign1.sign(key, null, null, null, payload);
        assertArrayEquals(Hex.decode("a10127"), bare.protectedBytes());
        assertNull(CoseSign1.decode(bare.encode()).protectedHeaders().contentType());
        assertArrayEquals(payload, CoseSign1.decode(bare.encode()).verify(key.publicKey(), new byte[0]));
    }

    @Test
    void anotherKeyAnotherAadOrAnyChangedByteFailsVerification() throws Exception {
        byte[] wire = CoseSign1.sign(key, 16, null, aad, payload).encodeTagged();
        byte[] otherKey = Ed25519.KeyPair.generate(RANDOM).publicKey();
        assertThrows(SignatureException.class, () -> CoseSign1.decode(wire).verify(otherKey, aad));
        assertThrows(SignatureException.class, () -> CoseSign1.decode(wire).verify(key.publicKey(), null));
        assertThrows(SignatureException.class, () -> CoseSign1.decode(wire).verify(key.publicKey(), new byte[] {1, 2, 4}));
        int changed = 0;
        for (int i = 0; i < wire.length; i++) {
            byte[] c = wire.clone();
            c[i] ^= 0x01;
            CoseSign1 decoded;
            try {
                decoded = CoseSign1.decode(c);
            } catch (CoseFormatException e) {
                continue; // the change broke the structure: refused before any check
            }
            changed++;
            assertThrows(SignatureException.class, () -> decoded.verify(key.publicKey(), aad), "byte " + i);
        }
        assertTrue(changed > payload.length + 64, "most single-byte changes still decode, and all fail to verify");
    }

    @Test
    void refusesWhatItDoesNotAccept() {
        byte[] sig = new byte[64];
        byte[] p = new CborWriter().bytes(payload).toByteArray();
        assertRefused(build("a10126", "a0", p, sig), "alg -7 is not EdDSA");
        assertRefused(build("", "a10127", p, sig), "no alg in the protected header (an unprotected alg");
        assertRefused(build("a2012704" + "4101", "a0", p, sig), "holds only alg and content type");
        assertRefused(build("a10127", "a1054d" + "00".repeat(13), p, sig), "holds only a kid");
        assertRefused(build("a10127", "a0", Hex.decode("f6"), sig), "detached payloads are not accepted");
        assertRefused(build("a10127", "a0", p, new byte[63]), "signature of 63 bytes, 64 expected");
        assertRefused(build("a2012703" + "6474657874", "a0", p, sig), "content type is not a CoAP Content-Format");
        assertRefused(build("a20127031a" + "00010000", "a0", p, sig), "content type 65536 is above 65535");
        byte[] good = CoseSign1.sign(key, null, null, null, payload).encodeTagged();
        assertRefused(Arrays.copyOf(good, good.length + 1), "1 bytes follow the message");
        assertRefused(new byte[] {(byte) 0xd0, (byte) 0x84}, "CBOR tag 16, not 18");
    }

    @Test
    void theLargestContentTypeIsAccepted() throws Exception {
        CoseSign1 m = CoseSign1.sign(key, 0xFFFF, null, null, payload);
        assertEquals(0xFFFF, CoseSign1.decode(m.encode()).protectedHeaders().contentType());
        assertThrows(IllegalArgumentException.class, () -> CoseSign1.sign(key, 0x10000, null, null, payload));
    }

    /** A tagged Sign1 from its parts: protected bucket bytes, unprotected map, payload item (encoded), signature. */
    private static byte[] build(String protectedHex, String unprotectedHex, byte[] payloadItem, byte[] signature) {
        CborWriter w = new CborWriter().tag(18).array(4).bytes(Hex.decode(protectedHex));
        byte[] head = w.toByteArray();
        byte[] u = Hex.decode(unprotectedHex);
        byte[] s = new CborWriter().bytes(signature).toByteArray();
        byte[] out = Arrays.copyOf(head, head.length + u.length + payloadItem.length + s.length);
        System.arraycopy(u, 0, out, head.length, u.length);
        System.arraycopy(payloadItem, 0, out, head.length + u.length, payloadItem.length);
        System.arraycopy(s, 0, out, head.length + u.length + payloadItem.length, s.length);
        return out;
    }

    private static void assertRefused(byte[] bytes, String reason) {
        CoseFormatException e = assertThrows(CoseFormatException.class, () -> CoseSign1.decode(bytes));
        assertTrue(e.getMessage().startsWith("COSE_Sign1"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }
}
