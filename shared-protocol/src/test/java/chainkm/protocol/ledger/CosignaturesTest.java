package chainkm.protocol.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CosignaturesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<Integer, Ed25519.KeyPair> keys = Map.of(1, Ed25519.KeyPair.generate(RANDOM),
            2, Ed25519.KeyPair.generate(RANDOM), 3, Ed25519.KeyPair.generate(RANDOM));

    private byte[] publicKey(int id) {
        return keys.containsKey(id) ? keys.get(id).publicKey() : null;
    }

    @Test
    void aGatewayRemovalSignsTheSameBytesAsBefore() {
        byte[] nonce = Hex.decode("00112233445566778899aabbccddeeff");
        byte[] expected = ("chainkm/v1/remove-gateway").getBytes(StandardCharsets.US_ASCII);
        expected = Arrays.copyOf(expected, expected.length + 2 + 16);
        expected[expected.length - 17] = 4; // the removed gateway, 2 bytes big-endian
        System.arraycopy(nonce, 0, expected, expected.length - 16, 16);
        assertArrayEquals(expected, GatewayRemoval.message(4, nonce));
    }

    @Test
    void anEvictionSignsItsLabelTheNodeAndTheNonce() {
        byte[] nonce = new byte[16];
        byte[] m = Eviction.message(0x01020304, nonce);
        assertEquals("chainkm/v1/evict", new String(m, 0, 16, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Arrays.copyOfRange(m, 16, 20));
        assertEquals(36, m.length);
    }

    @Test
    void extensionsRoundTripAndTheTallyCountsValidDistinctSigners() throws Exception {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        byte[] m = Eviction.message(7, nonce);
        List<Cosignatures.Cosignature> cs = List.of(Cosignatures.cosign(1, keys.get(1), m), Cosignatures.cosign(2, keys.get(2), m),
                Cosignatures.cosign(2, keys.get(2), m));
        List<Cosignatures.Cosignature> back = Cosignatures.parse(Cosignatures.extension(cs));
        assertEquals(3, back.size());
        Cosignatures.Tally t = Cosignatures.tally(back, m, this::publicKey, id -> false);
        assertTrue(t.valid());
        assertEquals(Set.of(1, 2), t.signers());
        assertFalse(Cosignatures.tally(back, m, this::publicKey, id -> id == 2).valid(), "an excluded signer");
        assertFalse(Cosignatures.tally(back, Eviction.message(8, nonce), this::publicKey, id -> false).valid(), "another node");
        List<Cosignatures.Cosignature> outsider = List.of(Cosignatures.cosign(9, Ed25519.KeyPair.generate(RANDOM), m));
        assertEquals(9, Cosignatures.tally(outsider, m, this::publicKey, id -> false).invalidSigner().getAsInt());
        byte[] ext = Cosignatures.extension(cs);
        assertThrows(TxFormatException.class, () -> Cosignatures.parse(Arrays.copyOf(ext, ext.length - 1)));
        assertThrows(TxFormatException.class, () -> Cosignatures.parse(Arrays.copyOf(ext, ext.length + 1)));
        assertThrows(TxFormatException.class, () -> Cosignatures.parse(new byte[0]));
        assertEquals(3, Cosignatures.quorum(4));
        assertEquals(3, Cosignatures.quorum(3));
        assertEquals(5, Cosignatures.quorum(7));
    }
}
