package chainkm.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.agent.Provisioning;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.TlsPin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstBootTest {
    @TempDir
    Path root;

    private Path bootBundle() throws IOException {
        Path boot = root.resolve("boot/firmware/chainkm/provisioning.properties");
        Files.createDirectories(boot.getParent());
        new Provisioning("dev-1", Ed25519.KeyPair.generate(new SecureRandom()).privateKeyBytes(),
                List.of(new Provisioning.Gateway(1, new InetSocketAddress("127.0.0.1", 5684), "ssl://127.0.0.1:8883",
                        TlsPin.of(new byte[32]), new byte[32]))).save(boot);
        Files.setPosixFilePermissions(boot, PosixFilePermissions.fromString("rw-r--r--")); // as on a FAT partition
        return boot;
    }

    @Test
    void theBundleMovesOffTheBootPartitionIntoTheStateDirectoryWithMode0600() throws IOException {
        Path boot = bootBundle();
        byte[] content = Files.readAllBytes(boot);
        Path state = root.resolve("var/lib/chainkm");
        Path moved = FirstBoot.install(state, boot);
        assertEquals(state.resolve("provisioning.properties"), moved);
        assertFalse(Files.exists(boot), "the boot copy is gone");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(moved)));
        assertEquals(new String(content), Files.readString(moved));
        assertFalse(Files.exists(state.resolve("provisioning.properties.tmp")));
        assertEquals("dev-1", Provisioning.load(moved).deviceName());
        // the next boot finds it where it is
        assertEquals(moved, FirstBoot.install(state, boot));
    }

    @Test
    void withNoBundleAnywhereTheAgentRefusesAndSaysWhereToPutOne() {
        Path boot = root.resolve("boot/firmware/chainkm/provisioning.properties");
        IOException e = assertThrows(FirstBoot.NotProvisionedException.class,
                () -> FirstBoot.install(root.resolve("state"), boot));
        assertTrue(e.getMessage().contains(boot.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("chainkm provision"), e.getMessage());
    }

    @Test
    void aDamagedBundleIsNotMoved() throws IOException {
        Path boot = root.resolve("boot/provisioning.properties");
        Files.createDirectories(boot.getParent());
        Files.writeString(boot, "device.name=x\n");
        assertThrows(IOException.class, () -> FirstBoot.install(root.resolve("state"), boot));
        assertTrue(Files.exists(boot));
        assertFalse(Files.exists(root.resolve("state/provisioning.properties")));
    }

    @Test
    void aSecondBundleOnTheBootPartitionOfAProvisionedDeviceIsDeletedNotUsed() throws IOException {
        Path state = root.resolve("state");
        Path first = FirstBoot.install(state, bootBundle());
        String before = Files.readString(first);
        Path again = bootBundle();
        Files.writeString(again, Files.readString(again).replace("dev-1", "dev-2"));
        assertEquals(first, FirstBoot.install(state, again));
        assertFalse(Files.exists(again));
        assertEquals(before, Files.readString(first));
    }

    @Test
    void afterActivationTheStateBundleKeepsTheGatewaysButNotTheEnrollmentKey() throws IOException {
        Path state = root.resolve("state");
        Path bundle = FirstBoot.install(state, bootBundle());
        assertTrue(Provisioning.load(bundle).enrollmentKey().isPresent(), "kept until activation");
        assertTrue(FirstBoot.retireEnrollmentKey(bundle));
        Provisioning after = Provisioning.load(bundle);
        assertTrue(after.enrollmentKey().isEmpty());
        assertFalse(Files.readString(bundle).contains("enrollment.key"));
        assertEquals("dev-1", after.deviceName());
        assertEquals(1, after.gateways().size());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
        assertFalse(FirstBoot.retireEnrollmentKey(bundle), "nothing left to delete");
    }

    @Test
    void aVersion1BundleOnTheBootPartitionIsRefusedAndLeftInPlace() throws IOException {
        Path boot = root.resolve("boot/provisioning.properties");
        Files.createDirectories(boot.getParent());
        Files.writeString(boot, "device.name=dev-1\nbootstrap.identity=boot-dev-1\nbootstrap.psk=AAAAAAAAAAAAAAAAAAAAAA==\n");
        IOException e = assertThrows(IOException.class, () -> FirstBoot.install(root.resolve("state"), boot));
        assertTrue(e.getMessage().contains("bundle version 1 (bootstrap PSK) is no longer accepted"), e.getMessage());
        assertTrue(Files.exists(boot));
    }
}
