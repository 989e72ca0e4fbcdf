package chainkm.protocol.identity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A device's name as the ledger records it: 1 to 64 characters of {@code [A-Za-z0-9._-]}, so
 * it is safe in log lines, file names and MQTT user names. On the wire: length (1 byte), then
 * the ASCII bytes.
 */
public final class DeviceName {
    public static final int MAX_LENGTH = 64;

    private DeviceName() {}

    /** Throws IllegalArgumentException naming the rule the text breaks. */
    public static String check(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a device name has 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("a device name uses only letters, digits, '.', '_' and '-'");
            }
        }
        return name;
    }

    static int encodedSize(String name) {
        return 1 + name.length();
    }

    static void encodeTo(ByteBuffer out, String name) {
        out.put((byte) name.length()).put(name.getBytes(StandardCharsets.US_ASCII));
    }

    static String decodeFrom(ByteBuffer in) throws IdentityFormatException {
        int length = Byte.toUnsignedInt(in.get());
        if (length == 0 || length > MAX_LENGTH || in.remaining() < length) {
            throw new IdentityFormatException("device name of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        String name = new String(bytes, StandardCharsets.US_ASCII);
        try {
            return check(name);
        } catch (IllegalArgumentException e) {
            throw new IdentityFormatException(e.getMessage());
        }
    }
}
