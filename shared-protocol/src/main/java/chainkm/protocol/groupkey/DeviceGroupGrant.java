package chainkm.protocol.groupkey;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a device's home gateway answers to {@code GET /group?path=P} on the device endpoint: the
 * device's personal secret in the group of its own resource, and the session from which it
 * holds keys. Big-endian, fixed layout (devices carry no CBOR library):
 * <pre>
 *   version       1   1
 *   session       8   num: the first session at which this member holds the key (the group's
 *                     current one, or the next one when the member was just added)
 *   window        1   the group's healing window
 *   group length  1   g
 *   group         g   G = device + path
 *   secret       32   the device's personal secret S
 * </pre>
 * {@link #toString()} never shows the secret.
 */
public final class DeviceGroupGrant {
    public static final int VERSION = 1;

    private final String group;
    private final long session;
    private final int window;
    private final byte[] secret;

    public DeviceGroupGrant(String group, long session, int window, byte[] secret) {
        this.group = GroupName.check(group);
        if (session < 0 || window < 1 || window > SessionBroadcast.MAX_WINDOW) {
            throw new IllegalArgumentException("session or window out of range");
        }
        PersonalSecret.check(secret, PersonalSecret.SIZE, "a personal secret");
        this.session = session;
        this.window = window;
        this.secret = secret.clone();
    }

    public byte[] encode() {
        byte[] name = group.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(1 + 8 + 1 + 1 + name.length + PersonalSecret.SIZE).put((byte) VERSION)
                .putLong(session).put((byte) window).put((byte) name.length).put(name).put(secret).array();
    }

    public static DeviceGroupGrant decode(byte[] bytes) throws GroupKeyFormatException {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int version = b.get() & 0xFF;
            if (version != VERSION) {
                throw new GroupKeyFormatException("device group grant version " + version + ", expected " + VERSION);
            }
            long session = b.getLong();
            int window = b.get() & 0xFF;
            byte[] name = new byte[b.get() & 0xFF];
            b.get(name);
            byte[] secret = new byte[PersonalSecret.SIZE];
            b.get(secret);
            if (b.hasRemaining()) {
                throw new GroupKeyFormatException("device group grant: " + b.remaining() + " trailing bytes");
            }
            try {
                return new DeviceGroupGrant(new String(name, StandardCharsets.US_ASCII), session, window, secret);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        } catch (BufferUnderflowException e) {
            throw new GroupKeyFormatException("device group grant truncated");
        } catch (IllegalArgumentException e) {
            throw new GroupKeyFormatException("device group grant: " + e.getMessage());
        }
    }

    public String group() {
        return group;
    }

    public long session() {
        return session;
    }

    public int window() {
        return window;
    }

    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "DeviceGroupGrant[" + group + " session=" + session + " window=" + window + "]";
    }
}
