package chainkm.device.agent;

import chainkm.protocol.keys.AesCcm;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.Kdf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway a device is attached to after a rejoin, with the attachment key that gateway gave
 * it (its KEK for CoAP/DTLS with that gateway). File {@code attachment}, mode 0600, sealed with
 * AES-CCM under a key derived from the device's storage key, written atomically.
 */
record Attachment(int gatewayId, byte[] key) {
    static final String FILE = "attachment";

    Attachment {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public String toString() {
        return "Attachment[gateway " + gatewayId + "]";
    }

    private static byte[] fileKey(byte[] storageKey) {
        return Kdf.derive(storageKey, null, "chainkm/v1/attachment-file".getBytes(StandardCharsets.US_ASCII), 16);
    }

    void save(Path stateDir, byte[] storageKey) throws IOException {
        byte[] nonce = new byte[AesCcm.NONCE_SIZE];
        new SecureRandom().nextBytes(nonce);
        byte[] plain = ByteBuffer.allocate(2 + key.length).putShort((short) gatewayId).put(key).array();
        byte[] sealed = AesCcm.seal(fileKey(storageKey), nonce, new byte[0], plain);
        Arrays.fill(plain, (byte) 0);
        Path tmp = stateDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(nonce));
            ch.write(ByteBuffer.wrap(sealed));
            ch.force(true);
        }
        Files.move(tmp, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(stateDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    static Optional<Attachment> load(Path stateDir, byte[] storageKey) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length <= AesCcm.NONCE_SIZE) {
            throw new IOException(file + " is truncated");
        }
        try {
            byte[] plain = AesCcm.open(fileKey(storageKey), Arrays.copyOf(all, AesCcm.NONCE_SIZE), new byte[0],
                    Arrays.copyOfRange(all, AesCcm.NONCE_SIZE, all.length));
            if (plain.length != 2 + AesCcm.KEY_SIZE) {
                Arrays.fill(plain, (byte) 0);
                throw new IOException(file + " authenticates but holds " + plain.length + " bytes, not a gateway id and a "
                        + AesCcm.KEY_SIZE + "-byte key");
            }
            ByteBuffer in = ByteBuffer.wrap(plain);
            int gw = Short.toUnsignedInt(in.getShort());
            byte[] key = new byte[AesCcm.KEY_SIZE];
            in.get(key);
            Arrays.fill(plain, (byte) 0);
            return Optional.of(new Attachment(gw, key));
        } catch (AuthenticationException e) {
            throw new IOException(file + " does not authenticate (corrupt, or another device's)");
        }
    }
}
