package chainkm.protocol.groupkey;

import java.util.Arrays;

/**
 * What one member's entry in B_r carries: the chain values from which it computes the keys of
 * every session of the window it was a member of, and of none before.
 * <pre>
 *   offset   1        o: the member's first session in this window is x = r - o
 *                     (its join, or the window's first session if it joined before)
 *   values   16 each  one per epoch of the window: zero for epochs that ended before x,
 *                     f_x for the epoch of x, f_a for each later epoch starting at a
 * </pre>
 * Every entry of a broadcast has the same size, so entries do not tell members apart.
 */
final class WindowShare {
    private final int offset;
    private final byte[][] values;

    WindowShare(int offset, byte[][] values) {
        if (offset < 0 || offset >= SessionBroadcast.MAX_WINDOW || values.length < 1) {
            throw new IllegalArgumentException("offset 0..254 and at least one value");
        }
        this.offset = offset;
        this.values = values;
    }

    static int size(int epochs) {
        return 1 + epochs * KeyChain.VALUE_SIZE;
    }

    int offset() {
        return offset;
    }

    byte[] value(int epoch) {
        return values[epoch];
    }

    byte[] encode() {
        byte[] out = new byte[size(values.length)];
        out[0] = (byte) offset;
        for (int i = 0; i < values.length; i++) {
            System.arraycopy(values[i], 0, out, 1 + i * KeyChain.VALUE_SIZE, KeyChain.VALUE_SIZE);
        }
        return out;
    }

    static WindowShare decode(byte[] plain, int epochs) throws GroupKeyFormatException {
        if (plain.length != size(epochs)) {
            throw new GroupKeyFormatException("window share of " + plain.length + " bytes, " + size(epochs) + " expected");
        }
        byte[][] values = new byte[epochs][];
        for (int i = 0; i < epochs; i++) {
            values[i] = Arrays.copyOfRange(plain, 1 + i * KeyChain.VALUE_SIZE, 1 + (i + 1) * KeyChain.VALUE_SIZE);
        }
        return new WindowShare(plain[0] & 0xFF, values);
    }

    /** Overwrites the chain values (they are secrets). */
    void wipe() {
        for (byte[] v : values) {
            Arrays.fill(v, (byte) 0);
        }
    }
}
