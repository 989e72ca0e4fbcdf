package chainkm.protocol.d2d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.rekey.MessageFormatException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class D2DMessageTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyId SET_PAIR = KeyId.pairwiseSetKey(3, 8);
    private static final KeyId NODE_PAIR = KeyId.pairwiseNodeKey(10, 20);

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private final byte[] setKey = random(16);
    private final Ed25519.KeyPair alice = Ed25519.KeyPair.generate(RANDOM); // node 10
    private final Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM); // node 11, alice's set-mate

    private static byte[] wire(D2DMessage m) {
        return m.encode();
    }

    @Test
    void signedUnderAPairwiseSetKeyRoundTrips() throws Exception {
        D2DMessage m = D2DMessage.seal(10, 20, SET_PAIR, 4, 1234, setKey, "hello".getBytes(), alice);
        byte[] w = wire(m);
        D2DMessage back = D2DMessage.decode(w, w.length);
        assertTrue(back.isSigned());
        assertTrue(back.signatureValid(alice.publicKey()));
        assertEquals("hello", new String(back.open(setKey), StandardCharsets.UTF_8));
        assertEquals(10, back.sender());
        assertEquals(20, back.receiver());
        assertEquals(SET_PAIR, back.keyId());
        assertEquals(4, back.keySeq());
        assertEquals(1234, back.counter());
        assertArrayEquals(w, back.encode());
    }

    @Test
    void unsignedUnderAPairwiseNodeKeyAndTheTagAuthenticates() throws Exception {
        byte[] nodeKey = random(16);
        D2DMessage m = D2DMessage.seal(10, 20, NODE_PAIR, 1, 7, nodeKey, "hi".getBytes());
        byte[] w = wire(m);
        D2DMessage back = D2DMessage.decode(w, w.length);
        assertFalse(back.isSigned());
        assertFalse(back.signatureValid(alice.publicKey()), "no signature is never a valid signature");
        assertEquals("hi", new String(back.open(nodeKey), StandardCharsets.UTF_8));
        assertThrows(AuthenticationException.class, () -> back.open(random(16)));
    }

    @Test
    void aSetMateClaimingAnotherSenderIsRefusedBySignature() throws Exception {
        // mallory holds the set key and its own identity key, and claims to be alice (node 10)
        D2DMessage forged = D2DMessage.seal(10, 20, SET_PAIR, 4, 1L << 62, setKey, "OPEN DOOR".getBytes(), mallory);
        byte[] w = wire(forged);
        D2DMessage back = D2DMessage.decode(w, w.length);
        assertFalse(back.signatureValid(alice.publicKey()), "mallory's signature does not pass as alice's");
        // the tag opens (mallory holds the set key): that is why the signature is checked first
        assertEquals("OPEN DOOR", new String(back.open(setKey), StandardCharsets.UTF_8));
    }

    @Test
    void theSignatureCoversEveryHeaderFieldAndTheCiphertext() throws Exception {
        byte[] w = wire(D2DMessage.seal(10, 20, SET_PAIR, 4, 99, setKey, "payload".getBytes(), alice));
        int signatureStart = w.length - Ed25519.SIGNATURE_SIZE;
        for (int i = 1; i < signatureStart; i++) {
            byte[] t = w.clone();
            t[i] ^= 0x01;
            D2DMessage m;
            try {
                m = D2DMessage.decode(t, t.length);
            } catch (MessageFormatException e) {
                continue; // e.g. a key id or length no longer well formed
            }
            assertFalse(m.signatureValid(alice.publicKey()), "byte " + i + " is not covered by the signature");
        }
    }

    @Test
    void aSetKeyMessageWithoutItsSignatureDoesNotDecode() {
        byte[] w = wire(D2DMessage.seal(10, 20, SET_PAIR, 4, 99, setKey, "x".getBytes(), alice));
        byte[] stripped = Arrays.copyOf(w, w.length - Ed25519.SIGNATURE_SIZE);
        assertThrows(MessageFormatException.class, () -> D2DMessage.decode(stripped, stripped.length));
        assertThrows(IllegalArgumentException.class,
                () -> D2DMessage.seal(10, 20, SET_PAIR, 4, 1, setKey, "x".getBytes()), "no unsigned set-key messages");
    }

    @Test
    void versionOneIsRefusedByName() {
        byte[] w = wire(D2DMessage.seal(10, 20, NODE_PAIR, 1, 7, random(16), "hi".getBytes()));
        w[0] = 1;
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> D2DMessage.decode(w, w.length));
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
    }

    @Test
    void aNegativeCounterDoesNotDecode() {
        byte[] w = wire(D2DMessage.seal(10, 20, NODE_PAIR, 1, 7, random(16), "hi".getBytes()));
        // counter: after version(1) sender(4) receiver(4) key id(9) key seq(8)
        w[1 + 4 + 4 + KeyId.PAIR_SIZE + 8] = (byte) 0x80;
        assertThrows(MessageFormatException.class, () -> D2DMessage.decode(w, w.length));
    }
}
