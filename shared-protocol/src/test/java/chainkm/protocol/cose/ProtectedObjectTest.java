package chainkm.protocol.cose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProtectedObjectTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ProtectedResource temperature = new ProtectedResource("kitchen-1", "/sensors/temperature");
    private final byte[] k5 = key();
    private final byte[] k6 = key();
    private final Ed25519.KeyPair device = Ed25519.KeyPair.generate(RANDOM);
    private final AtomicLong counter = new AtomicLong(1000);
    private final NonceSource nonces = counter::getAndIncrement;
    private final byte[] reading = "{\"celsius\":21.5}".getBytes(StandardCharsets.US_ASCII);

    private static byte[] key() {
        byte[] k = new byte[16];
        RANDOM.nextBytes(k);
        return k;
    }

    @Test
    void aReadingSealedUnderK5OpensWithK5ForTheSameResourceOnly() throws Exception {
        ProtectedObject o = ProtectedObject.seal(temperature, 5, k5, nonces, reading);
        ProtectedObject back = ProtectedObject.decode(o.encode());
        assertEquals(5, back.session());
        assertEquals(1000, back.sequence());
        assertEquals(reading.length, back.readingSize());
        assertArrayEquals(reading, back.open(temperature, k5));

        assertThrows(AuthenticationException.class, () -> back.open(temperature, k6), "another session's key");
        assertThrows(AuthenticationException.class,
                () -> back.open(new ProtectedResource("kitchen-1", "/sensors/humidity"), k5), "another resource");
        assertThrows(AuthenticationException.class,
                () -> back.open(new ProtectedResource("kitchen-2", "/sensors/temperature"), k5), "another device");
    }

    @Test
    void wireFormatIsTheDocumentedOne() throws Exception {
        counter.set(0x0102030405L);
        byte[] wire = ProtectedObject.seal(temperature, 300, k5, nonces, reading).encode();
        // 16([h'a1010a', {4: h'012c', 5: h'00000000 00 0000000102030405'}, ciphertext])
        String head = "d0" + "83" + "43a1010a" + "a2" + "04" + "42012c" + "05" + "4d" + "0000000000" + "0000000102030405";
        assertTrue(Hex.encode(wire).startsWith(head), Hex.encode(wire));
        // and the independent reading of it: the IV is the nonce, the kid the session
        CoseEncrypt0 m = CoseEncrypt0.decode(wire);
        assertArrayEquals(reading, m.decrypt(k5, temperature.externalAad()));
        assertEquals("83" + "71" + Hex.encode("chainkm/v1/object".getBytes(StandardCharsets.US_ASCII))
                + "69" + Hex.encode("kitchen-1".getBytes(StandardCharsets.US_ASCII))
                + "74" + Hex.encode("/sensors/temperature".getBytes(StandardCharsets.US_ASCII)),
                Hex.encode(temperature.externalAad()));
        assertEquals("00", Hex.encode(ProtectedObject.kid(0)));
        assertEquals("ff", Hex.encode(ProtectedObject.kid(255)));
        assertEquals("0100", Hex.encode(ProtectedObject.kid(256)));
        assertEquals("7fffffffffffffff", Hex.encode(ProtectedObject.kid(Long.MAX_VALUE)));
    }

    @Test
    void everyObjectHasItsOwnNonceAndAGrowingSequenceNumber() throws Exception {
        long previous = -1;
        java.util.Set<String> ivs = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            ProtectedObject o = ProtectedObject.decode(
                    ProtectedObject.seal(temperature, i / 10, i % 2 == 0 ? k5 : k6, nonces, reading).encode());
            assertTrue(o.sequence() > previous);
            previous = o.sequence();
            assertTrue(ivs.add(Hex.encode(o.message().unprotectedHeaders().iv())), "a nonce used twice");
        }
    }

    @Test
    void decodeRefusesAnyOtherShape() throws Exception {
        byte[] good = ProtectedObject.seal(temperature, 5, k5, nonces, reading).encode();
        assertRefused(java.util.Arrays.copyOfRange(good, 1, good.length), "not a tagged COSE_Encrypt0");
        byte[] ct = CoseEncrypt0.decode(good).ciphertext();
        String iv = "4d" + "0000000000" + "00000000000003e9";
        assertRefused(encrypt0("a2010a0300", "a2" + "044105" + "05" + iv, ct), "the protected header is not {1: 10}");
        assertRefused(encrypt0("a1010a", "a105" + iv, ct), "needs a kid (the session) and a full IV");
        assertRefused(encrypt0("a1010a", "a2" + "044105" + "064203e9", ct), "needs a kid (the session) and a full IV");
        assertRefused(encrypt0("a1010a", "a2" + "04420005" + "054d" + "0000000000" + "00000000000003e9", ct),
                "the kid is not a session number");
        assertRefused(encrypt0("a1010a", "a2" + "044105" + "054d" + "0000000001" + "00000000000003e9", ct),
                "first 5 bytes are not zero");
        assertRefused(encrypt0("a1010a", "a2" + "044105" + "054d" + "0000000000" + "80000000000003e9", ct),
                "sequence number is above");
        assertRefused(encrypt0("a1010a", "a2" + "0449010000000000000000" + "05" + iv, ct), "the kid is not a session number");
        assertRefused(encrypt0("a1010a", "a2" + "044105" + "05" + iv, new byte[ProtectedObject.MAX_READING_SIZE + 9]),
                "a reading above");
    }

    @Test
    void sealRefusesBadInputsAndSealsNothingWithoutAFreshNonce() {
        assertThrows(IllegalArgumentException.class, () -> ProtectedObject.seal(temperature, -1, k5, nonces, reading));
        assertThrows(IllegalArgumentException.class, () -> ProtectedObject.seal(temperature, 1, new byte[32], nonces, reading));
        assertThrows(IllegalArgumentException.class,
                () -> ProtectedObject.seal(temperature, 1, k5, nonces, new byte[ProtectedObject.MAX_READING_SIZE + 1]));
        NonceSource broken = () -> {
            throw new IllegalStateException("the key store could not be written");
        };
        assertThrows(IllegalStateException.class, () -> ProtectedObject.seal(temperature, 1, k5, broken, reading));
        assertThrows(IllegalArgumentException.class, () -> new ProtectedResource("kitchen 1", "/t"));
        assertThrows(IllegalArgumentException.class, () -> new ProtectedResource("kitchen-1", "t"));
        assertThrows(IllegalArgumentException.class, () -> new ProtectedResource("kitchen-1", "/a b"));
    }

    // --- through a proxy: the signed form ---------------------------------------------------

    @Test
    void aSignedObjectVerifiesUnderTheDevicesKeyAndShowsTheProxyNoReading() throws Exception {
        ProtectedObject o = ProtectedObject.seal(temperature, 6, k6, nonces, reading);
        byte[] wire = SignedObject.sign(o, temperature, device).encode();
        assertTrue(Hex.encode(wire).startsWith("d284" + "45a201270310" + "a0"), Hex.encode(wire));

        // the proxy: checks origin, learns session, sequence and size, holds no group key
        ProtectedObject atProxy = SignedObject.decode(wire).verify(temperature, device.publicKey());
        assertEquals(6, atProxy.session());
        assertEquals(o.sequence(), atProxy.sequence());
        assertEquals(reading.length, atProxy.readingSize());
        // the client: same check, then K_6 opens it
        assertArrayEquals(reading, SignedObject.decode(wire).verify(temperature, device.publicKey()).open(temperature, k6));
    }

    @Test
    void attackTamperedObjectAtTheProxyIsRefused() throws Exception {
        byte[] wire = SignedObject.sign(ProtectedObject.seal(temperature, 6, k6, nonces, reading), temperature, device)
                .encode();
        for (int i = wire.length - 64 - reading.length - 8; i < wire.length - 64 - 2; i++) {
            byte[] tampered = wire.clone();
            tampered[i] ^= 0x40; // inside the payload's ciphertext: the structure stays valid
            SignedObject s = SignedObject.decode(tampered);
            assertThrows(SignatureException.class, () -> s.verify(temperature, device.publicKey()), "byte " + i);
        }
    }

    @Test
    void attackObjectPushedByAnotherDeviceIsRefused() throws Exception {
        Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);
        // another device signs an object and claims it is kitchen-1's
        byte[] forged = SignedObject.sign(ProtectedObject.seal(temperature, 6, k6, nonces, reading), temperature, other)
                .encode();
        assertThrows(SignatureException.class, () -> SignedObject.decode(forged).verify(temperature, device.publicKey()));
        // the other device's genuine object for its own resource, presented as kitchen-1's
        ProtectedResource its = new ProtectedResource("garage-3", "/sensors/temperature");
        byte[] genuine = SignedObject.sign(ProtectedObject.seal(its, 6, k6, nonces, reading), its, other).encode();
        assertThrows(SignatureException.class, () -> SignedObject.decode(genuine).verify(temperature, other.publicKey()));
        assertThrows(SignatureException.class, () -> SignedObject.decode(genuine).verify(temperature, device.publicKey()));
    }

    @Test
    void attackReplayedOldObjectCannotCarryANewSequenceNumber() throws Exception {
        byte[] old = SignedObject.sign(ProtectedObject.seal(temperature, 6, k6, nonces, reading), temperature, device)
                .encode();
        byte[] newer = SignedObject.sign(ProtectedObject.seal(temperature, 6, k6, nonces, reading), temperature, device)
                .encode();
        long last = SignedObject.decode(newer).verify(temperature, device.publicKey()).sequence();
        ProtectedObject replayed = SignedObject.decode(old).verify(temperature, device.publicKey());
        assertTrue(replayed.sequence() < last, "a client that saw the newer one sees the old one is not new");
        // rewriting the old object's IV to a higher number breaks the signature (and the tag)
        byte[] relabelled = old.clone();
        int ivEnd = indexOf(relabelled, ProtectedObject.iv(replayed.sequence())) + 13;
        relabelled[ivEnd - 1] = (byte) 0xff;
        assertThrows(SignatureException.class,
                () -> SignedObject.decode(relabelled).verify(temperature, device.publicKey()));
    }

    @Test
    void aGroupMemberCanMakeAnEncrypt0ButNotASignedObject() throws Exception {
        // a client holds K_6: the bare Encrypt0 it makes opens like the device's (the tag proves "a
        // holder of K_6"), which is why objects through a proxy are signed
        Ed25519.KeyPair member = Ed25519.KeyPair.generate(RANDOM);
        ProtectedObject fake = ProtectedObject.seal(temperature, 6, k6, () -> 1L << 40, "{\"celsius\":99}".getBytes());
        assertArrayEquals("{\"celsius\":99}".getBytes(), ProtectedObject.decode(fake.encode()).open(temperature, k6));
        byte[] signed = SignedObject.sign(fake, temperature, member).encode();
        assertThrows(SignatureException.class, () -> SignedObject.decode(signed).verify(temperature, device.publicKey()));
    }

    @Test
    void signedObjectDecodeRefusesOtherShapes() throws Exception {
        ProtectedObject o = ProtectedObject.seal(temperature, 6, k6, nonces, reading);
        byte[] untagged = CoseSign1.sign(device, CoseEncrypt0.CONTENT_FORMAT, null, temperature.externalAad(), o.encode())
                .encode();
        assertSignedRefused(untagged, "not a tagged COSE_Sign1");
        assertSignedRefused(CoseSign1.sign(device, null, null, temperature.externalAad(), o.encode()).encodeTagged(),
                "content type is not 16");
        assertSignedRefused(CoseSign1.sign(device, 16, new byte[] {1}, temperature.externalAad(), o.encode())
                .encodeTagged(), "unprotected header is not empty");
        assertSignedRefused(CoseSign1.sign(device, 16, null, temperature.externalAad(), reading).encodeTagged(),
                "protected object: not a tagged COSE_Encrypt0");
    }

    private static void assertSignedRefused(byte[] bytes, String reason) {
        CoseFormatException e = assertThrows(CoseFormatException.class, () -> SignedObject.decode(bytes));
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }

    private static void assertRefused(byte[] bytes, String reason) {
        CoseFormatException e = assertThrows(CoseFormatException.class, () -> ProtectedObject.decode(bytes));
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }

    private static byte[] encrypt0(String protectedHex, String unprotectedHex, byte[] ciphertext) {
        CborWriter w = new CborWriter().tag(16).array(3).bytes(Hex.decode(protectedHex));
        return concat(w.toByteArray(), Hex.decode(unprotectedHex), new CborWriter().bytes(ciphertext).toByteArray());
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
