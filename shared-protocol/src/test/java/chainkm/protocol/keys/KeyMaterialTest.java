package chainkm.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyMaterialTest {
    private static final byte[] KEY = Hex.decode("00112233445566778899aabbccddeeff");

    @Test
    void toStringShowsIdAndSeqButNeverTheBytes() {
        KeyMaterial material = new KeyMaterial(KeyId.pairwiseNodeKey(12, 40), KEY, 5);
        String text = material.toString();
        assertTrue(text.contains("pnk:12-40"), text);
        assertTrue(text.contains("5"), text);
        assertFalse(text.toLowerCase().contains("00112233"), text);
        assertFalse(text.contains(Arrays.toString(KEY)), text);
    }

    @Test
    void copiesTheBytesInAndOut() {
        byte[] key = KEY.clone();
        KeyMaterial material = new KeyMaterial(KeyId.nodeKey(1), key, 0);
        key[0] = 9;
        byte[] out = material.key();
        assertArrayEquals(KEY, out);
        out[1] = 9;
        assertArrayEquals(KEY, material.key());
    }

    @Test
    void destroyZeroesTheBytes() throws Exception {
        KeyMaterial material = new KeyMaterial(KeyId.setKey(1), KEY, 3);
        material.destroy();
        assertTrue(material.isDestroyed());
        assertThrows(IllegalStateException.class, material::key);
        var field = KeyMaterial.class.getDeclaredField("key");
        field.setAccessible(true);
        assertArrayEquals(new byte[16], (byte[]) field.get(material));
    }

    @Test
    void equalityCoversIdSeqAndBytes() {
        KeyMaterial a = new KeyMaterial(KeyId.setKey(1), KEY, 3);
        assertEquals(a, new KeyMaterial(KeyId.setKey(1), KEY.clone(), 3));
        assertEquals(a.hashCode(), new KeyMaterial(KeyId.setKey(1), KEY.clone(), 3).hashCode());
        assertNotEquals(a, new KeyMaterial(KeyId.setKey(2), KEY, 3));
        assertNotEquals(a, new KeyMaterial(KeyId.setKey(1), KEY, 4));
        byte[] other = KEY.clone();
        other[15] ^= 1;
        assertNotEquals(a, new KeyMaterial(KeyId.setKey(1), other, 3));
    }

    @Test
    void refusesWrongSizesAndNegativeSeqs() {
        assertThrows(IllegalArgumentException.class, () -> new KeyMaterial(KeyId.setKey(1), new byte[32], 0));
        assertThrows(IllegalArgumentException.class, () -> new KeyMaterial(KeyId.setKey(1), KEY, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KeyMaterial(KeyId.setKey(1), Arrays.copyOf(KEY, 15), 0));
        assertFalse(e.getMessage().contains("0011"));
    }

    @Test
    void rollsForwardUnderItsOwnCanonicalIdAsLabel() {
        byte[] refresh = Hex.decode("0f0e0d0c0b0a09080706050403020100");
        KeyMaterial material = new KeyMaterial(KeyId.pairwiseSetKey(3, 7), KEY, 3);
        KeyMaterial rolled = material.rollForward(refresh, 4);
        assertEquals(KeyId.pairwiseSetKey(3, 7), rolled.id());
        assertEquals(4, rolled.seq());
        assertArrayEquals(Kdf.rollForward(KEY, refresh, "psk:3-7"), rolled.key());
    }
}
