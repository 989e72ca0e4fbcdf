package chainkm.hardware;

import chainkm.device.agent.Provisioning;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First boot: the field engineer put the provisioning bundle on the SD card's boot partition
 * (FAT, readable by anyone who holds the card); the agent moves it into its state directory
 * (mode 0600, owned by the state directory's owner) and deletes the boot copy. The move is
 * atomic: temp file, fsync, rename, directory fsync, and only then the boot copy goes.
 *
 * <p>The bundle holds the one-time enrollment key until the device has activated its own
 * identity key on the ledger ({@link #retireEnrollmentKey}); only then is the copy holding it
 * replaced, atomically, by the same bundle without that key (the gateways and their trust
 * anchors stay: the agent needs them at every start). A crash before activation keeps the key
 * for the next attempt.
 */
public final class FirstBoot {
    private static final Logger LOG = LoggerFactory.getLogger(FirstBoot.class);

    private FirstBoot() {
    }

    /** Why the agent cannot start: no bundle anywhere. */
    public static final class NotProvisionedException extends IOException {
        NotProvisionedException(String message) {
            super(message);
        }
    }

    /** The bundle in the state directory, moved there from {@code bootBundle} if needed. */
    public static Path install(Path stateDir, Path bootBundle) throws IOException {
        Path target = stateDir.resolve(AgentConfig.BUNDLE_FILE);
        boolean onBoot = Files.exists(bootBundle);
        if (Files.exists(target)) {
            if (onBoot) {
                LOG.warn("{} is ignored and deleted: this device is already provisioned ({}); "
                        + "to provision it anew, stop the agent and delete {}", bootBundle, target, stateDir);
                Files.delete(bootBundle);
            }
            return target;
        }
        if (!onBoot) {
            throw new NotProvisionedException("not provisioned: no provisioning bundle at " + bootBundle
                    + " nor in " + stateDir + " (write one with 'bin/chainkm provision --device NAME --dir DIR --out OUT'"
                    + " and copy OUT/provisioning.properties to " + bootBundle + ")");
        }
        Provisioning.load(bootBundle); // refuse a damaged bundle before it replaces nothing
        chainkm.device.agent.SecretFiles.privateDirectory(stateDir); // 0700, as every state directory
        Path temp = stateDir.resolve(AgentConfig.BUNDLE_FILE + ".tmp");
        Files.deleteIfExists(temp);
        byte[] bytes = Files.readAllBytes(bootBundle);
        try (FileChannel ch = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
        ownLikeDirectory(temp, stateDir);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.delete(temp);
            throw e;
        }
        fsyncDirectory(stateDir);
        Files.delete(bootBundle);
        fsyncDirectory(bootBundle.getParent());
        LOG.info("first boot: moved the provisioning bundle from {} to {} (mode 0600); the boot partition no longer holds it",
                bootBundle, target);
        return target;
    }

    /**
     * After activation: replaces the state directory's bundle by one without the enrollment key
     * (atomically, mode 0600). True if it held one. Never call it before the device is activated:
     * without the key, a device that never activated cannot do so any more.
     */
    public static boolean retireEnrollmentKey(Path stateBundle) throws IOException {
        Provisioning bundle = Provisioning.load(stateBundle);
        if (bundle.enrollmentKey().isEmpty()) {
            return false;
        }
        bundle.withoutEnrollmentKey().save(stateBundle);
        LOG.info("the device's identity is active: the enrollment key is deleted from {}", stateBundle);
        return true;
    }

    /** When run as root (the unit's privileged pre-start step), the bundle goes to the agent's user. */
    private static void ownLikeDirectory(Path file, Path dir) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        UserPrincipal owner = Files.getOwner(dir);
        if (!owner.equals(Files.getOwner(file))) {
            view.setOwner(owner);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be synced (FAT on some kernels); the data is synced
            LOG.debug("cannot fsync {}: {}", dir, e.toString());
        }
    }
}
