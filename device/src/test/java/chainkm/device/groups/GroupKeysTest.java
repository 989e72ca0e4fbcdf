package chainkm.device.groups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.groupkey.DeviceGroupGrant;
import chainkm.protocol.groupkey.DeviceMemberId;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.GroupManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device's group keys: it follows signed broadcasts, refuses forged ones, and keeps its keys over a reboot. */
class GroupKeysTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    @TempDir
    Path state;

    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
    private final Map<Integer, byte[]> anchors = Map.of(1, gateway.publicKey());
    private final GroupManager gm;
    private final byte[] me = DeviceMemberId.of("sim1");

    GroupKeysTest() throws Exception {
        byte[] master = new byte[32];
        RANDOM.nextBytes(master);
        gm = GroupManager.create("sim1/temperature", master, 4);
        gm.addMember(me);
    }

    private byte[] signed(Ed25519.KeyPair key) {
        return GroupBroadcastEnvelope.sign(1, gm.newSession(), key).encode();
    }

    @Test
    void theDeviceDerivesTheManagersKeysAndKeepsThemOverAReboot() throws Exception {
        GroupKeys keys = new GroupKeys(state, "sim1", anchors);
        assertTrue(keys.current("/temperature").isEmpty());
        keys.join("/temperature", new DeviceGroupGrant("sim1/temperature", 1, 4, gm.personalSecret(me)));
        assertEquals(List.of(1L), keys.onBroadcast(signed(gateway)));
        signed(gateway);                                         // session 2: missed
        assertEquals(List.of(2L, 3L), keys.onBroadcast(signed(gateway)), "healed");
        GroupKeys.SessionKey k = keys.current("/temperature").orElseThrow();
        assertEquals(3, k.session());
        assertArrayEquals(gm.key(3).orElseThrow(), k.key());
        assertTrue(!k.toString().contains("key="));

        GroupKeys rebooted = new GroupKeys(state, "sim1", anchors);
        assertEquals(3, rebooted.current("/temperature").orElseThrow().session());
        assertArrayEquals(gm.key(2).orElseThrow(), rebooted.key("/temperature", 2).orElseThrow());
        try (Stream<Path> files = Files.list(state.resolve("groups"))) {
            for (Path f : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
        }
        // joining again with the same secret keeps the keys
        rebooted.join("/temperature", new DeviceGroupGrant("sim1/temperature", 3, 4, gm.personalSecret(me)));
        assertEquals(3, rebooted.current("/temperature").orElseThrow().session());
    }

    @Test
    void aForgedOrTamperedBroadcastChangesNothing() throws Exception {
        GroupKeys keys = new GroupKeys(state, "sim1", anchors);
        keys.join("/temperature", new DeviceGroupGrant("sim1/temperature", 1, 4, gm.personalSecret(me)));
        keys.onBroadcast(signed(gateway));
        Ed25519.KeyPair mallory = Ed25519.KeyPair.generate(RANDOM);
        assertEquals(List.of(), keys.onBroadcast(signed(mallory)), "signed by no gateway");
        byte[] tampered = signed(gateway);
        tampered[20] ^= 1;
        assertEquals(List.of(), keys.onBroadcast(tampered));
        assertEquals(List.of(), keys.onBroadcast(new byte[] {1, 2, 3}));
        assertEquals(1, keys.current("/temperature").orElseThrow().session());
    }
}
