package chainkm.protocol.groupkey;

import java.util.Arrays;

/**
 * A run of sessions between two removals, with its own random chain (the group manager's
 * view). It keeps one chain value, at its anchor: its first session, or the first session of
 * the current window if it started before; older values are dropped as the window slides.
 */
final class Epoch {
    final long start;
    private long anchor;
    private byte[] value;

    Epoch(long start, long anchor, byte[] value) {
        if (anchor < start) {
            throw new IllegalArgumentException("an epoch's anchor is not before its start");
        }
        PersonalSecret.check(value, KeyChain.VALUE_SIZE, "a chain value");
        this.start = start;
        this.anchor = anchor;
        this.value = value.clone();
    }

    long anchor() {
        return anchor;
    }

    /** f_j, for j at or after the anchor. */
    byte[] valueAt(long j, String group) {
        return KeyChain.walk(value, anchor, j, group);
    }

    /** Moves the anchor forward to session j, forgetting the values before it. */
    void advanceTo(long j, String group) {
        if (j > anchor) {
            byte[] next = valueAt(j, group);
            Arrays.fill(value, (byte) 0);
            value = next;
            anchor = j;
        }
    }

    byte[] anchorValue() {
        return value.clone();
    }
}
