package chainkm.protocol.rekey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips and refusals of the rekey message, the join bundle and the D2D message. */
class WireFormatsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Test
    void rekeyMessageRoundTripVerifiesAndOpens() throws Exception {
        Ed25519.KeyPair gw = Ed25519.KeyPair.generate(RANDOM);
        byte[] kek = random(16);
        byte[] refresh = random(16);
        List<KeyUpdate> updates = List.of(KeyUpdate.put(KeyId.pairwiseSetKey(1, 2), random(16), true),
                KeyUpdate.roll(KeyId.setKey(1)), KeyUpdate.delete(KeyId.pairwiseNodeKey(3, 4)), KeyUpdate.set(9),
                KeyUpdate.wipe());
        RekeyMessage m = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 7, 42, 1, Operation.EVICT, 3, 1,
                refresh, List.of(5, 6)), updates, kek, gw);
        RekeyMessage back = RekeyMessage.decode(m.encode());
        assertTrue(back.verify(gw.publicKey()));
        assertFalse(back.verify(Ed25519.KeyPair.generate(RANDOM).publicKey()));
        assertEquals(42, back.seq());
        assertEquals(List.of(5, 6), back.exempt());
        assertEquals(Operation.EVICT, back.operation());
        assertArrayEquals(refresh, back.refreshKey());
        assertEquals(updates.toString(), back.open(kek).toString());
        assertArrayEquals(updates.get(0).key(), back.open(kek).get(0).key());
        assertThrows(AuthenticationException.class, () -> back.open(random(16)));
        assertFalse(m.toString().contains(Arrays.toString(kek)));
    }

    @Test
    void rekeyMessageProofsAreSignedAndVersionOneIsRefused() throws Exception {
        Ed25519.KeyPair gw = Ed25519.KeyPair.generate(RANDOM);
        byte[] kek = random(16);
        List<byte[]> proofs = List.of(random(300), random(1), random(0));
        RekeyMessage m = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 3, 9, 12,
                Operation.REMOVE_GATEWAY, 2, 3, random(16), List.of(), proofs), List.of(KeyUpdate.wipe()), kek, gw);
        RekeyMessage back = RekeyMessage.decode(m.encode());
        assertEquals(3, back.proofs().size());
        for (int i = 0; i < proofs.size(); i++) {
            assertArrayEquals(proofs.get(i), back.proofs().get(i));
        }
        assertTrue(back.verify(gw.publicKey()));
        assertEquals(1, back.open(kek).size());
        // the proofs are signed and authenticated like the rest of the header
        byte[] tampered = m.encode();
        tampered[1 + 1 + 2 + 8 + 4 + 1 + 4 + 4 + 16 + 2 + 1 + 2 + 5] ^= 1;
        RekeyMessage t = RekeyMessage.decode(tampered);
        assertFalse(t.verify(gw.publicKey()));
        assertThrows(AuthenticationException.class, () -> t.open(kek));
        // a message without proofs has an empty list
        assertEquals(List.of(), RekeyMessage.decode(RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.SET, 3,
                9, 1, Operation.JOIN, 2, 3, random(16), List.of()), List.of(), kek, gw).encode()).proofs());
        // version 1 (no proofs field) is no longer read: its bytes would be misparsed
        byte[] v1 = m.encode();
        v1[0] = 1;
        MessageFormatException e = assertThrows(MessageFormatException.class, () -> RekeyMessage.decode(v1));
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RekeyMessage.Header(RekeyMessage.Kind.NODE, 3, 9, 12,
                Operation.JOIN, 2, 3, random(16), List.of(), List.of(new byte[70_000])));
    }

    @Test
    void malformedRekeyMessagesAreRefused() {
        Random r = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[r.nextInt(200)];
            r.nextBytes(garbage);
            if (garbage.length > 0) {
                garbage[0] = (byte) RekeyMessage.VERSION;
            }
            try {
                RekeyMessage m = RekeyMessage.decode(garbage);
                assertFalse(m.verify(Ed25519.KeyPair.generate(RANDOM).publicKey()));
            } catch (MessageFormatException expected) {
                // refused as malformed
            }
        }
        assertThrows(MessageFormatException.class, () -> RekeyMessage.decode(new byte[RekeyMessage.MAX_SIZE + 1]));
    }

    /** Found by RekeyMessageFuzzTest#updates: any non-zero flag read as true, so one update had 255 encodings. */
    @Test
    void aPutsGraceFlagIsZeroOrOne() throws Exception {
        for (boolean grace : new boolean[] {false, true}) {
            KeyUpdate put = KeyUpdate.put(KeyId.setKey(3), random(16), grace);
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(put.encodedLength());
            put.encodeTo(out);
            byte[] bytes = out.array();
            assertEquals(grace, KeyUpdate.decodeFrom(java.nio.ByteBuffer.wrap(bytes)).grace());
            bytes[bytes.length - 1] = 2;
            MessageFormatException e = assertThrows(MessageFormatException.class,
                    () -> KeyUpdate.decodeFrom(java.nio.ByteBuffer.wrap(bytes)));
            assertTrue(e.getMessage().contains("grace flag 2"), e.getMessage());
        }
    }

    @Test
    void joinBundleRoundTrip() throws Exception {
        JoinBundle b = new JoinBundle(2, 77, 5, 9, random(32), List.of(new KeyMaterial(KeyId.nodeKey(77), random(16), 9),
                new KeyMaterial(KeyId.pairwiseNodeKey(12, 77), random(16), 9)));
        JoinBundle back = JoinBundle.decode(b.encode());
        assertEquals(b.nodeId(), back.nodeId());
        assertArrayEquals(b.commitment(), back.commitment());
        assertEquals(b.keys(), back.keys());
        assertFalse(b.toString().contains("secret"), "no secrets in toString");
        assertThrows(MessageFormatException.class, () -> JoinBundle.decode(Arrays.copyOf(b.encode(), 30)));
    }

    @Test
    void d2dMessageRoundTripAndRefusals() throws Exception {
        byte[] key = random(16);
        KeyId id = KeyId.pairwiseNodeKey(10, 20);
        D2DMessage m = D2DMessage.seal(10, 20, id, 4, 1234, key, "hello".getBytes());
        byte[] wire = m.encode();
        D2DMessage back = D2DMessage.decode(wire, wire.length);
        assertEquals("hello", new String(back.open(key)));
        assertEquals(id, back.keyId());
        assertThrows(AuthenticationException.class, () -> back.open(random(16)));
        byte[] flipped = wire.clone();
        flipped[2] ^= 1; // the sender id is authenticated too
        assertThrows(AuthenticationException.class, () -> D2DMessage.decode(flipped, flipped.length).open(key));
        assertThrows(MessageFormatException.class, () -> D2DMessage.decode(wire, wire.length - 3));
        assertThrows(MessageFormatException.class, () -> D2DMessage.decode(new byte[3000], 3000));
        assertThrows(IllegalArgumentException.class,
                () -> D2DMessage.seal(1, 2, id, 0, 0, key, new byte[D2DMessage.MAX_PAYLOAD + 1]));
        byte[] kek = D2DMessage.seal(1, 2, KeyId.nodeKey(1), 0, 0, key, new byte[1]).encode();
        assertThrows(MessageFormatException.class, () -> D2DMessage.decode(kek, kek.length), "KEKs never protect D2D");
    }
}
