package chainkm.device.agent;

import chainkm.protocol.keys.KeyId;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The receiver's D2D replay state, one sliding window per (key id, key seq, sender), that
 * survives a restart, kill -9 included (the idea of RFC 8613 Appendix B.1.2).
 *
 * <p>Each window has a <em>mark</em> on disk that is always at or above every counter it ever
 * accepted: before accepting a counter above its mark, the window raises the mark by a step and
 * writes the file (atomically, then fsync), and only then accepts. After a restart every counter at
 * or below a window's mark is refused, so a message recorded before the crash is refused too.
 *
 * <p>The step is {@link #K} times the gap since the window's previous highest counter (at most
 * {@link #MAX_GAP_FACTOR} times): a sender's counter is one for all its peers and keys, so the
 * counters one receiver sees grow by more than one per message when the sender talks to others.
 * Scaling the step by the gap keeps the file written about once per {@code K} messages of a sender
 * and, after a restart, costs that sender about {@code K} refused fresh messages (its counter
 * passes the mark after that many), never a lock-out: the sender's counter only grows, also across
 * its own reboots. A new window (a new sender, or a key's new seq) is written once at its first
 * message.
 *
 * <p>File {@code <state>/replay.marks}, 0600, written atomically (never torn): "CKRM", version 1,
 * entry count (4), entries (key id, key seq 8 or -1 for a floor, sender 4, mark 8), CRC-32 (4) of
 * all that precedes.
 * A file that fails its check stops the agent rather than forget the marks.
 *
 * <p>The key seq of a window is the seq of the key value that opened the message at this device
 * (the message's own label is only a hint). When that value is gone (superseded past its grace
 * period), its window folds into a floor per (key id, sender) at the next write, and a window that
 * a sender opens later under the same key id starts at that floor: a sender's counter never
 * repeats, whatever the key, so nothing at or below what it sent before can be fresh. Windows of a
 * key id the device no longer holds at all are dropped (their messages are refused for lack of a
 * key anyway).
 */
final class ReplayWindows {
    static final String FILE = "replay.marks";
    /** Messages per sender between two writes; after a restart, about this many fresh ones are refused. */
    static final int K = 32;
    static final long MAX_GAP_FACTOR = 1024;
    /** Windows kept at most: more than the live keys times senders of any set, so reaching it is a fault. */
    static final int MAX_WINDOWS = 8192;
    private static final int WINDOW = 64;
    private static final byte[] MAGIC = {'C', 'K', 'R', 'M'};
    private static final int FORMAT = 1;

    /** Which replay window: a key's value (id and seq) and a sender. */
    record Stream(KeyId keyId, long keySeq, int sender) implements Comparable<Stream> {
        @Override
        public int compareTo(Stream o) {
            int c = keyId.compareTo(o.keyId);
            if (c == 0) {
                c = Long.compare(keySeq, o.keySeq);
            }
            return c != 0 ? c : Integer.compare(sender, o.sender);
        }
    }

    private static final class Window {
        long highest;
        long bitmap;
        long mark;

        Window(long highest, long bitmap, long mark) {
            this.highest = highest;
            this.bitmap = bitmap;
            this.mark = mark;
        }
    }

    /** The key seq of a floor entry: the highest counter of a (key id, sender) under values now gone. */
    static final long FLOOR = -1;

    /** What this device still holds: a key id at all, and a value of it by its seq. */
    interface LiveKeys {
        boolean holds(KeyId id);

        boolean holdsValue(KeyId id, long seq);
    }

    private final Path file;
    private final java.util.NavigableMap<Stream, Window> windows;
    private LiveKeys live = new LiveKeys() {
        @Override
        public boolean holds(KeyId id) {
            return true;
        }

        @Override
        public boolean holdsValue(KeyId id, long seq) {
            return true;
        }
    };
    private long writes;

    private ReplayWindows(Path file, java.util.NavigableMap<Stream, Window> windows) {
        this.file = file;
        this.windows = windows;
    }

    /** Opens the replay state of {@code stateDir}: empty at first, otherwise every stored mark as a closed window. */
    static ReplayWindows open(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException first) {
            return new ReplayWindows(file, new TreeMap<>());
        }
        return new ReplayWindows(file, load(file, bytes));
    }

    private static java.util.NavigableMap<Stream, Window> load(Path file, byte[] bytes) throws IOException {
        String broken = file + " is damaged (it fails its check); refusing to start without the D2D replay marks."
                + " Removing it lets messages recorded before the last restart be replayed once";
        if (bytes.length < MAGIC.length + 1 + 4 + 4) {
            throw new IOException(broken);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != in.getInt(bytes.length - 4)) {
            throw new IOException(broken);
        }
        java.util.NavigableMap<Stream, Window> loaded = new TreeMap<>();
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.get() != FORMAT) {
                throw new IOException(broken);
            }
            int count = in.getInt();
            if (count < 0 || count > MAX_WINDOWS) {
                throw new IOException(broken);
            }
            for (int i = 0; i < count; i++) {
                KeyId id = KeyId.decodeFrom(in);
                long seq = in.getLong();
                if (seq < FLOOR) {
                    throw new IOException(broken);
                }
                int sender = in.getInt();
                long mark = in.getLong();
                // closed up to the mark: everything at or below it may have been accepted before the restart
                loaded.put(new Stream(id, seq, sender), new Window(mark, -1L, mark));
            }
            if (in.remaining() != 4) {
                throw new IOException(broken);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException(broken);
        }
        return loaded;
    }

    /** Tells which keys are still held, so the windows of the others can be folded or dropped. */
    synchronized void pruneWith(LiveKeys live) {
        this.live = live;
    }

    /**
     * Accepts {@code counter} once in its window: true the first time, false for a replay or a
     * counter too far behind. Call it only for an authenticated message (its MAC and, under a
     * pairwise set key, its signature checked): this is what moves a sender's window.
     *
     * @throws IOException when the raised mark cannot be written (the message must be refused then)
     */
    synchronized boolean accept(KeyId keyId, long keySeq, int sender, long counter) throws IOException {
        if (counter < 0 || keySeq < 0) {
            return false;
        }
        Stream s = new Stream(keyId, keySeq, sender);
        Window w = windows.get(s);
        boolean created = w == null;
        if (created) {
            if (windows.size() >= MAX_WINDOWS) {
                prune();
                if (windows.size() >= MAX_WINDOWS) {
                    throw new IOException("more than " + MAX_WINDOWS + " D2D replay windows");
                }
            }
            long floor = floor(keyId, sender);
            w = floor < 0 ? new Window(-1, 0, -1) : new Window(floor, -1L, floor);
        }
        if (counter <= w.highest) {
            long age = w.highest - counter;
            if (age >= WINDOW || (w.bitmap & (1L << age)) != 0) {
                return false;
            }
            w.bitmap |= 1L << age;
            return true;
        }
        if (counter > w.mark) {
            long gap = w.highest < 0 ? 1 : Math.min(counter - w.highest, MAX_GAP_FACTOR);
            long step = K * gap;
            long mark = counter > Long.MAX_VALUE - step ? Long.MAX_VALUE : counter + step;
            long previous = w.mark;
            w.mark = mark;
            if (created) {
                windows.put(s, w);
            }
            try {
                save();
            } catch (IOException e) {
                w.mark = previous;
                if (created) {
                    windows.remove(s);
                }
                throw e;
            }
        }
        long shift = counter - w.highest;
        w.bitmap = shift >= WINDOW ? 1 : (w.bitmap << shift) | 1;
        w.highest = counter;
        return true;
    }

    /** The highest counter seen from {@code sender} under any value of {@code keyId}, or -1. */
    private long floor(KeyId keyId, int sender) {
        long floor = -1;
        for (Map.Entry<Stream, Window> e : windows.subMap(new Stream(keyId, Long.MIN_VALUE, sender), true,
                new Stream(keyId, Long.MAX_VALUE, sender), true).entrySet()) {
            if (e.getKey().sender() == sender) {
                floor = Math.max(floor, e.getValue().highest);
            }
        }
        return floor;
    }

    private void prune() {
        Map<Stream, Long> floors = new TreeMap<>();
        windows.entrySet().removeIf(e -> {
            Stream s = e.getKey();
            if (!live.holds(s.keyId())) {
                return true;
            }
            if (s.keySeq() == FLOOR || live.holdsValue(s.keyId(), s.keySeq())) {
                return false;
            }
            floors.merge(new Stream(s.keyId(), FLOOR, s.sender()), e.getValue().highest, Math::max);
            return true;
        });
        floors.forEach((s, highest) -> {
            Window f = windows.get(s);
            if (f == null) {
                windows.put(s, new Window(highest, -1L, highest));
            } else if (highest > f.highest) {
                f.highest = highest;
                f.mark = highest;
            }
        });
    }

    private void save() throws IOException {
        prune();
        int size = MAGIC.length + 1 + 4 + 4;
        for (Stream s : windows.keySet()) {
            size += s.keyId().encodedLength() + 8 + 4 + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(MAGIC).put((byte) FORMAT).putInt(windows.size());
        for (Map.Entry<Stream, Window> e : windows.entrySet()) {
            e.getKey().keyId().encodeTo(out);
            out.putLong(e.getKey().keySeq()).putInt(e.getKey().sender()).putLong(e.getValue().mark);
        }
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        SecretFiles.writeAtomically(file, out.array());
        writes++;
    }

    /**
     * On an orderly stop: lowers every mark to the highest counter its window accepted, so that
     * a restart after a clean shutdown refuses no fresh message (only a crash costs up to
     * {@link #K} per sender). Nothing is written if no mark is ahead.
     */
    synchronized void closeExactly() throws IOException {
        boolean ahead = false;
        for (Window w : windows.values()) {
            if (w.mark > w.highest) {
                w.mark = w.highest;
                ahead = true;
            }
        }
        if (ahead) {
            save();
        }
    }

    /** How many times the file was written since this object was opened (for tests and the bench). */
    synchronized long writes() {
        return writes;
    }

    synchronized int size() {
        return windows.size();
    }
}
