package chainkm.protocol.cose;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the few CBOR items COSE messages are made of (integers, byte and text strings,
 * definite-length arrays and maps, tags) in their preferred serialization (RFC 8949 section
 * 4.2.1: every head as short as the value allows). Map entries are written in the order the
 * caller gives: callers write them in deterministic order (bytewise order of the encoded keys).
 *
 * <p>Why not the upokecenter library that {@code chainkm.protocol.authz} uses: devices must
 * encode these structures, and that library with its numbers dependency (about 550 kB) would
 * push the device image past its 6 MB limit (docs/protected-objects.md, "Device image").
 */
final class CborWriter {
    private static final int UNSIGNED = 0;
    private static final int NEGATIVE = 1;
    private static final int BYTES = 2;
    private static final int TEXT = 3;
    private static final int ARRAY = 4;
    private static final int MAP = 5;
    private static final int TAG = 6;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    CborWriter integer(long value) {
        return value >= 0 ? head(UNSIGNED, value) : head(NEGATIVE, -1 - value);
    }

    CborWriter bytes(byte[] value) {
        head(BYTES, value.length);
        out.writeBytes(value);
        return this;
    }

    CborWriter text(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        head(TEXT, utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    CborWriter array(int items) {
        return head(ARRAY, items);
    }

    CborWriter map(int entries) {
        return head(MAP, entries);
    }

    CborWriter tag(long number) {
        return head(TAG, number);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    /** The head of an item: major type and argument, the argument in as few bytes as it needs. */
    private CborWriter head(int major, long argument) {
        int type = major << 5;
        if (argument < 24) {
            out.write(type | (int) argument);
        } else if (argument < 0x100) {
            out.write(type | 24);
            out.write((int) argument);
        } else if (argument < 0x10000) {
            out.write(type | 25);
            writeBigEndian(argument, 2);
        } else if (argument < 0x100000000L) {
            out.write(type | 26);
            writeBigEndian(argument, 4);
        } else {
            out.write(type | 27);
            writeBigEndian(argument, 8);
        }
        return this;
    }

    private void writeBigEndian(long value, int size) {
        for (int i = size - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
