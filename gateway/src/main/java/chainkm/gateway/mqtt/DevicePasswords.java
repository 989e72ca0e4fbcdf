package chainkm.gateway.mqtt;

import chainkm.gateway.home.GatewayHome;
import chainkm.protocol.identity.DeviceName;
import chainkm.protocol.keys.Kdf;
import chainkm.protocol.rekey.MqttCredential;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The MQTT passwords of the devices a gateway serves, derived from a secret of that gateway
 * alone ({@code mqtt-devices.secret}, 32 random bytes, 0600):
 * password = base64url(HKDF-SHA256(secret, info = "chainkm/v1/mqtt-device" || name length ||
 * name || node id), 24 bytes). Only this gateway can make or check one; it binds the device's
 * name to its node, so a new enrollment under the same name (a new node) gets a new password.
 * Nothing is stored per device: the broker recomputes the password at each connect.
 */
public final class DevicePasswords {
    static final int SECRET_BYTES = 32;
    static final int PASSWORD_BYTES = 24;
    static final byte[] INFO = "chainkm/v1/mqtt-device".getBytes(StandardCharsets.US_ASCII);

    private final byte[] secret;

    private DevicePasswords(byte[] secret) {
        this.secret = secret;
    }

    /** Writes a new secret (0600). */
    public static void generate(Path file) throws IOException {
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        GatewayHome.writeSecret(file, Base64.getEncoder().encodeToString(secret));
        Arrays.fill(secret, (byte) 0);
    }

    public static DevicePasswords load(Path file) throws IOException {
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(GatewayHome.readLine(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not base64");
        }
        if (secret.length != SECRET_BYTES) {
            throw new IOException(file + " must hold " + SECRET_BYTES + " bytes");
        }
        return new DevicePasswords(secret);
    }

    /** A secret for tests and tools that keep it in memory. */
    static DevicePasswords of(byte[] secret) {
        return new DevicePasswords(secret.clone());
    }

    /** The credential of device {@code name} as node {@code nodeId}. */
    public MqttCredential issue(String name, int nodeId) {
        return MqttCredential.of(name, password(name, nodeId));
    }

    /** True if {@code password} is that device's (constant time in the password). */
    public boolean matches(String name, int nodeId, byte[] password) {
        byte[] expected = password(name, nodeId).getBytes(StandardCharsets.US_ASCII);
        return password != null && MessageDigest.isEqual(expected, password);
    }

    private String password(String name, int nodeId) {
        byte[] n = DeviceName.check(name).getBytes(StandardCharsets.US_ASCII);
        byte[] info = ByteBuffer.allocate(INFO.length + 1 + n.length + Integer.BYTES)
                .put(INFO).put((byte) n.length).put(n).putInt(nodeId).array();
        byte[] okm = Kdf.derive(secret, null, info, PASSWORD_BYTES);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(okm);
        } finally {
            Arrays.fill(okm, (byte) 0);
        }
    }
}
