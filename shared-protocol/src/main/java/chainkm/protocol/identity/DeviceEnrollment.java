package chainkm.protocol.identity;

import chainkm.protocol.crypto.Ed25519;
import java.nio.ByteBuffer;

/**
 * The extension of an {@code ENROLL} transaction: a gateway enrolls a device name with the
 * public half of the one-time enrollment key it put in the device's provisioning bundle.
 * Nothing secret reaches the ledger. Wire: name ({@link DeviceName}), enrollment key (32).
 */
public record DeviceEnrollment(String name, byte[] enrollmentKey) {
    public DeviceEnrollment {
        DeviceName.check(name);
        if (enrollmentKey == null || enrollmentKey.length != Ed25519.PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException("an enrollment key is a 32-byte Ed25519 public key");
        }
        enrollmentKey = enrollmentKey.clone();
    }

    @Override
    public byte[] enrollmentKey() {
        return enrollmentKey.clone();
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(DeviceName.encodedSize(name) + Ed25519.PUBLIC_KEY_SIZE);
        DeviceName.encodeTo(out, name);
        return out.put(enrollmentKey).array();
    }

    public static DeviceEnrollment decode(byte[] bytes) throws IdentityFormatException {
        return Statements.parseExactly(bytes, "enrollment",
                in -> new DeviceEnrollment(DeviceName.decodeFrom(in), Statements.key(in)));
    }
}
