package chainkm.protocol.rekey;

import chainkm.protocol.identity.DeviceName;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A device's own MQTT credential on the broker of the gateway that serves it, the answer of
 * CoAP {@code GET /mqtt} inside the device's DTLS session. The client id that goes with it is
 * {@code node-<its node id>}; the broker refuses any other.
 * <pre>
 * version (1 byte, 1) | user length (1) | user (ASCII, a device name) | password length (1) | password (printable ASCII)
 * </pre>
 * The password never appears in {@link #toString()}.
 */
public final class MqttCredential {
    public static final byte VERSION = 1;
    public static final int MAX_PASSWORD = 128;

    private final String user;
    private final byte[] password;

    private MqttCredential(String user, byte[] password) {
        this.user = user;
        this.password = password;
    }

    /** @throws IllegalArgumentException for a user that is not a device name or an unprintable or empty password */
    public static MqttCredential of(String user, String password) {
        DeviceName.check(user);
        byte[] p = password.getBytes(StandardCharsets.US_ASCII);
        checkPassword(p);
        return new MqttCredential(user, p);
    }

    private static void checkPassword(byte[] p) {
        if (p.length == 0 || p.length > MAX_PASSWORD) {
            throw new IllegalArgumentException("an MQTT password has 1 to " + MAX_PASSWORD + " characters");
        }
        for (byte b : p) {
            if (b < 0x21 || b > 0x7e) {
                throw new IllegalArgumentException("an MQTT password is printable ASCII without spaces");
            }
        }
    }

    public String user() {
        return user;
    }

    /** A fresh copy, for Paho (the caller may wipe it). */
    public char[] password() {
        char[] out = new char[password.length];
        for (int i = 0; i < password.length; i++) {
            out[i] = (char) password[i];
        }
        return out;
    }

    public byte[] encode() {
        byte[] u = user.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(3 + u.length + password.length).put(VERSION)
                .put((byte) u.length).put(u).put((byte) password.length).put(password).array();
    }

    public static MqttCredential decode(byte[] bytes) throws MessageFormatException {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != VERSION) {
                throw new MessageFormatException("MQTT credential: unknown version");
            }
            byte[] u = new byte[in.get() & 0xff];
            in.get(u);
            byte[] p = new byte[in.get() & 0xff];
            in.get(p);
            if (in.hasRemaining()) {
                throw new MessageFormatException("MQTT credential: trailing bytes");
            }
            String user = DeviceName.check(new String(u, StandardCharsets.US_ASCII));
            checkPassword(p);
            return new MqttCredential(user, p);
        } catch (java.nio.BufferUnderflowException e) {
            throw new MessageFormatException("MQTT credential: truncated");
        } catch (IllegalArgumentException e) {
            throw new MessageFormatException("MQTT credential: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MqttCredential c && user.equals(c.user) && Arrays.equals(password, c.password);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return "MqttCredential[" + user + "]";
    }
}
