package chainkm.protocol.groupkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.AesCcm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The derivations and the wire format of docs/group-keys.md against values computed by a second,
 * independent implementation (tools/groupkey/kat.py: HKDF from RFC 5869 on Python's hmac, AES-CCM
 * from the cryptography package).
 */
class GroupKeyVectorsTest {
    private static final String G = "kitchen-1/temperature";
    private static final byte[] MASTER = range(0x00, 32);
    private static final byte[] CTI = range(0xA0, 16);
    private static final byte[] NONCE = range(0x10, 13);
    private static final byte[] F4 = range(0x60, 16);
    private static final byte[] F6 = range(0x40, 16);
    private static final String S = "ef50ce8cbdcd53d908950a3c7b7dc7aa755cdde8f996028e5f7a707b899650cd";
    private static final String BROADCAST = "01156b69746368656e2d312f74656d7065726174757265000000000000000704101112131415161718191a1b1c"
            + "020100013be801cf28efa38091650f33358040357bed874ddfd77ee71c6182f42f9c58afd5c3aa53b88c7852308bda050b72f7d1da";

    private static byte[] range(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void personalSecretAndItsKeys() {
        byte[] s = PersonalSecret.derive(MASTER, CTI);
        assertEquals(S, Hex.encode(s));
        assertEquals("1310a173460a2826880ac36c117e28a5", Hex.encode(PersonalSecret.wrapKey(s, G)));
        assertEquals("3be801cf28efa380", Hex.encode(PersonalSecret.tag(s, G, 7, NONCE)));
    }

    @Test
    void chainAndSessionKeys() {
        assertEquals("46a63c404af0d1935d2084f2bfab0e69", Hex.encode(KeyChain.next(F4, 5, G)));
        assertEquals("0752cfe840ba79d7ea223b165370ac5d", Hex.encode(KeyChain.walk(F6, 6, 7, G)));
        assertEquals("94ffccc6df391cae4167f1df70999823", Hex.encode(KeyChain.sessionKey(F4, 4, G)));
        assertEquals("845c3b20f7e26e2ecb3d0d103952fac3", Hex.encode(KeyChain.sessionKey(KeyChain.next(F6, 7, G), 7, G)));
    }

    @Test
    void broadcastBytesAreTheDocumentedLayout() {
        byte[] header = SessionBroadcast.header(G, 7, 4, NONCE, List.of(6L), 1);
        byte[] secret = Hex.decode(S);
        byte[] tag = PersonalSecret.tag(secret, G, 7, NONCE);
        byte[] share = new WindowShare(3, new byte[][] {F4, F6}).encode();
        byte[] ct = AesCcm.seal(PersonalSecret.wrapKey(secret, G), NONCE, PersonalSecret.concat(header, tag), share);
        SessionBroadcast b = SessionBroadcast.assemble(header, List.of(tag), List.of(ct));

        assertEquals(BROADCAST, Hex.encode(b.encode()));
        assertEquals(SessionBroadcast.size(G.length(), 2, 1), b.encode().length);
    }

    @Test
    void memberComputesTheWindowsKeysFromTheIndependentBroadcast() throws Exception {
        GroupMember m = GroupMember.create(G, Hex.decode(S));
        GroupMember.Reception got = m.receive(SessionBroadcast.decode(Hex.decode(BROADCAST)));

        assertEquals(List.of(4L, 5L, 6L, 7L), got.newSessions());
        assertArrayEquals(Hex.decode("94ffccc6df391cae4167f1df70999823"), m.key(4).orElseThrow());
        assertArrayEquals(Hex.decode("59d9150eae1ac080efbeb4b47b5c3941"), m.key(5).orElseThrow());
        assertArrayEquals(Hex.decode("1c7deae4d4af78181ee9ca70c857392b"), m.key(6).orElseThrow());
        assertArrayEquals(Hex.decode("845c3b20f7e26e2ecb3d0d103952fac3"), m.key(7).orElseThrow());
    }
}
