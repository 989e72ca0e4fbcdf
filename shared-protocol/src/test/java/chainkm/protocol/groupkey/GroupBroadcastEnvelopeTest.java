package chainkm.protocol.groupkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.AuthenticationException;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's signed wrapper of a session broadcast: round trip, and every forgery refused with a log line. */
class GroupBroadcastEnvelopeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Ed25519.KeyPair gateway1 = Ed25519.KeyPair.generate(RANDOM);
    private final Ed25519.KeyPair gateway2 = Ed25519.KeyPair.generate(RANDOM);
    private final Map<Integer, byte[]> genesis = Map.of(1, gateway1.publicKey(), 2, gateway2.publicKey());
    private final GroupManager manager = GroupManager.create("lamp-1/light", master(), 4);
    private final byte[] cti = new byte[16];

    private static byte[] master() {
        byte[] m = new byte[32];
        RANDOM.nextBytes(m);
        return m;
    }

    private SessionBroadcast session() throws Exception {
        manager.addMember(cti);
        return manager.newSession();
    }

    @Test
    void aSignedEnvelopeRoundTripsAndVerifiesAgainstGenesis() throws Exception {
        SessionBroadcast b = session();
        byte[] bytes = GroupBroadcastEnvelope.sign(1, b, gateway1).encode();
        assertEquals(1 + 2 + 4 + b.encode().length + 64, bytes.length);
        assertEquals(1, bytes[0]);
        GroupBroadcastEnvelope e = GroupBroadcastEnvelope.decode(bytes);
        assertEquals(1, e.gatewayId());
        assertArrayEquals(b.encode(), e.verify(genesis).encode());
        assertArrayEquals(bytes, e.encode());
    }

    @Test
    void aBroadcastSignedByAKeyThatIsNoGatewayOrNamingAnotherGatewayIsRefused() throws Exception {
        SessionBroadcast b = session();
        Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
        try (LogLines log = new LogLines()) {
            GroupBroadcastEnvelope posingAs2 = GroupBroadcastEnvelope.decode(GroupBroadcastEnvelope.sign(2, b, mallory).encode());
            assertThrows(AuthenticationException.class, () -> posingAs2.verify(genesis));
            GroupBroadcastEnvelope unknown = GroupBroadcastEnvelope.decode(GroupBroadcastEnvelope.sign(9, b, mallory).encode());
            assertThrows(AuthenticationException.class, () -> unknown.verify(genesis));
            assertEquals(1, log.count("bad signature of gateway 2"));
            assertEquals(1, log.count("signer 9 is not a gateway of genesis"));
        }
    }

    @Test
    void everyTamperedByteIsRefused() throws Exception {
        byte[] good = GroupBroadcastEnvelope.sign(1, session(), gateway1).encode();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            try {
                GroupBroadcastEnvelope e = GroupBroadcastEnvelope.decode(bad);
                assertThrows(AuthenticationException.class, () -> e.verify(genesis), "byte " + i);
            } catch (GroupKeyFormatException refusedEarlier) {
                // a byte of the header or of the broadcast's layout: refused at decoding
            }
        }
    }

    @Test
    void malformedEnvelopesAreRefusedAtDecoding() throws Exception {
        byte[] good = GroupBroadcastEnvelope.sign(1, session(), gateway1).encode();
        assertThrows(GroupKeyFormatException.class, () -> GroupBroadcastEnvelope.decode(new byte[3]));
        assertThrows(GroupKeyFormatException.class, () -> GroupBroadcastEnvelope.decode(java.util.Arrays.copyOf(good, good.length - 1)));
        byte[] v2 = good.clone();
        v2[0] = 2;
        assertThrows(GroupKeyFormatException.class, () -> GroupBroadcastEnvelope.decode(v2));
        assertThrows(GroupKeyFormatException.class, () -> GroupBroadcastEnvelope.decode(null));
    }

    @Test
    void topicsKeepPathLevelsAndEscapeMqttWildcards() {
        assertEquals("chainkm/groups/lamp-1/light", GroupTopics.topic("lamp-1/light"));
        assertEquals("chainkm/groups/d/a/b", GroupTopics.topic("d/a/b"));
        assertEquals("chainkm/groups/d/a%2Bb%23c%25", GroupTopics.topic("d/a+b#c%"));
        assertEquals("chainkm/groups/d/#", GroupTopics.ofDevice("d"));
        assertFalse(GroupTopics.topic("d/+").contains("+"));
    }

    @Test
    void theDeviceMemberIdIsFixedPerDeviceAndGrantsRoundTripWithoutShowingTheSecret() throws Exception {
        assertArrayEquals(DeviceMemberId.of("sim3"), DeviceMemberId.of("sim3"));
        assertFalse(java.util.Arrays.equals(DeviceMemberId.of("sim3"), DeviceMemberId.of("sim4")));
        assertEquals(16, DeviceMemberId.of("sim3").length);
        byte[] secret = master();
        DeviceGroupGrant g = new DeviceGroupGrant("sim3/temperature", 7, 16, secret);
        DeviceGroupGrant back = DeviceGroupGrant.decode(g.encode());
        assertEquals("sim3/temperature", back.group());
        assertEquals(7, back.session());
        assertEquals(16, back.window());
        assertArrayEquals(secret, back.secret());
        assertFalse(back.toString().contains(chainkm.protocol.crypto.Hex.encode(secret).substring(0, 8)));
        byte[] trailing = java.util.Arrays.copyOf(g.encode(), g.encode().length + 1);
        assertThrows(GroupKeyFormatException.class, () -> DeviceGroupGrant.decode(trailing));
        assertTrue(g.encode().length < 80);
    }
}
