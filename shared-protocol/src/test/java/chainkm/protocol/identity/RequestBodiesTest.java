package chainkm.protocol.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair device = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair other = Ed25519.KeyPair.generate(RANDOM);

    @Test
    void aJoinRequestCarriesTheDevicesConsentForItsOwnNameOnly() throws Exception {
        byte[] commitment = new byte[32];
        RANDOM.nextBytes(commitment);
        byte[] wire = JoinRequest.sign("dev-1", commitment, device).encode();
        assertEquals(96, wire.length);
        JoinRequest back = JoinRequest.decode(wire);
        assertArrayEquals(commitment, back.commitment());
        assertTrue(back.authorization("dev-1").verifiesJoin(device.publicKey(), commitment));
        // replayed under another identity, or copied with another key's name, it proves nothing
        assertFalse(back.authorization("dev-2").verifiesJoin(device.publicKey(), commitment));
        assertFalse(back.authorization("dev-1").verifiesJoin(other.publicKey(), commitment));
    }

    @Test
    void aLeaveRequestNamesItsNode() throws Exception {
        byte[] wire = LeaveRequest.sign("dev-1", 42, device).encode();
        assertEquals(68, wire.length);
        LeaveRequest back = LeaveRequest.decode(wire);
        assertEquals(42, back.nodeId());
        assertTrue(back.authorization("dev-1").verifiesLeave(device.publicKey(), 42));
        assertFalse(back.authorization("dev-1").verifiesLeave(device.publicKey(), 43));
    }

    @Test
    void versionOneBodiesAndTruncationsAreMalformed() {
        assertThrows(IdentityFormatException.class, () -> JoinRequest.decode(new byte[32]));
        assertThrows(IdentityFormatException.class, () -> LeaveRequest.decode(new byte[4]));
        assertThrows(IdentityFormatException.class, () -> JoinRequest.decode(Arrays.copyOf(new byte[96], 97)));
        assertThrows(IdentityFormatException.class, () -> LeaveRequest.decode(null));
    }

    @Test
    void jcaKeysRoundTrip() {
        assertArrayEquals(device.publicKey(), Ed25519.rawOf(device.jcaPublicKey()).orElseThrow());
        assertArrayEquals(device.publicKey(), Ed25519.rawOf(Ed25519.toJcaPublicKey(device.publicKey())).orElseThrow());
    }
}
