package chainkm.protocol.groupkey;

import chainkm.protocol.keys.AesCcm;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * B_r, the broadcast that opens session r of a group (IoTChain II-E's common key B_j). Its
 * header is public: the session, the healing window, the epochs that overlap the window; then
 * one entry per member of session r, which only that member opens. Big-endian:
 * <pre>
 *   version       1   1
 *   group length  1   g, 1..255
 *   group         g   G, printable ASCII
 *   session       8   r, from 1
 *   window        1   w, 1..255: the window of B_r is sessions max(1, r-w+1) .. r
 *   nonce        13   random, the AES-CCM nonce of every entry (each is under its member's own key)
 *   epochs        1   K, 1..min(w, r): epochs that overlap the window
 *   epoch starts K-1  for the 2nd..Kth epoch, r - (its first session), strictly decreasing; the
 *                     1st epoch is the one that holds the window's first session
 *   members       2   n
 *   n entries, sorted by tag (unsigned bytes):
 *     tag         8   {@link PersonalSecret} tag of the member for (r, nonce)
 *     ciphertext 17+16K-8  AES-CCM-16-64-128(W_m, nonce, aad = header || tag, {@link WindowShare})
 * </pre>
 * The header is every byte before the first entry. Size: 26 + g + K + n (17 + 16K) bytes.
 */
public final class SessionBroadcast {
    public static final int VERSION = 1;
    public static final int NONCE_SIZE = AesCcm.NONCE_SIZE;
    public static final int MAX_WINDOW = 255;
    public static final int MAX_MEMBERS = 0xFFFF;
    /** The largest broadcast: the embedded broker takes 256 KiB packets, the rest is for the gateway's signed wrapper. */
    public static final int MAX_SIZE = 224 * 1024;

    private final String group;
    private final long session;
    private final int window;
    private final byte[] nonce;
    private final List<Long> epochStarts;
    private final List<byte[]> tags;
    private final List<byte[]> ciphertexts;
    private final byte[] encoded;
    private final int headerLength;

    private SessionBroadcast(String group, long session, int window, byte[] nonce, List<Long> epochStarts,
                             List<byte[]> tags, List<byte[]> ciphertexts, byte[] encoded, int headerLength) {
        this.group = group;
        this.session = session;
        this.window = window;
        this.nonce = nonce;
        this.epochStarts = List.copyOf(epochStarts);
        this.tags = tags;
        this.ciphertexts = ciphertexts;
        this.encoded = encoded;
        this.headerLength = headerLength;
    }

    /** The encoded size of a broadcast: 26 + g + K + n (17 + 16K). */
    public static int size(int groupLength, int epochs, int members) {
        return 26 + groupLength + epochs + members * entrySize(epochs);
    }

    static int entrySize(int epochs) {
        return PersonalSecret.TAG_SIZE + WindowShare.size(epochs) + AesCcm.TAG_SIZE;
    }

    /** The first session of the window of B_r. */
    static long windowStart(long session, int window) {
        return Math.max(1, session - window + 1);
    }

    /**
     * The header of a broadcast, before its entries are sealed over it.
     *
     * @param epochStarts the first sessions of the 2nd..Kth epochs of the window, increasing
     */
    static byte[] header(String group, long session, int window, byte[] nonce, List<Long> epochStarts, int members) {
        GroupName.check(group);
        checkShape(session, window, epochStarts);
        if (nonce.length != NONCE_SIZE || members < 0 || members > MAX_MEMBERS) {
            throw new IllegalArgumentException("bad nonce or member count");
        }
        int k = epochStarts.size() + 1;
        ByteBuffer b = ByteBuffer.allocate(26 + group.length() + k);
        b.put((byte) VERSION).put((byte) group.length()).put(PersonalSecret.ascii(group)).putLong(session)
                .put((byte) window).put(nonce).put((byte) k);
        epochStarts.forEach(a -> b.put((byte) (session - a)));
        b.putShort((short) members);
        return b.array();
    }

    /** Assembles a broadcast from its header and its sealed entries (tags and ciphertexts, in tag order). */
    static SessionBroadcast assemble(byte[] header, List<byte[]> tags, List<byte[]> ciphertexts) {
        ByteBuffer out = ByteBuffer.allocate(header.length + tags.size() * (PersonalSecret.TAG_SIZE
                + (ciphertexts.isEmpty() ? 0 : ciphertexts.get(0).length)));
        out.put(header);
        for (int i = 0; i < tags.size(); i++) {
            out.put(tags.get(i)).put(ciphertexts.get(i));
        }
        try {
            return decode(out.array());
        } catch (GroupKeyFormatException e) {
            throw new IllegalStateException("a broadcast just built does not decode: " + e.getMessage());
        }
    }

    public static SessionBroadcast decode(byte[] bytes) throws GroupKeyFormatException {
        if (bytes == null || bytes.length > MAX_SIZE) {
            throw new GroupKeyFormatException("session broadcast missing or larger than " + MAX_SIZE + " bytes");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int version = b.get() & 0xFF;
            if (version != VERSION) {
                throw new GroupKeyFormatException("session broadcast version " + version + ", expected " + VERSION);
            }
            byte[] name = new byte[b.get() & 0xFF];
            b.get(name);
            String group = new String(name, StandardCharsets.US_ASCII);
            if (!GroupName.valid(group)) {
                throw new GroupKeyFormatException("session broadcast: malformed group name");
            }
            long session = b.getLong();
            int window = b.get() & 0xFF;
            byte[] nonce = new byte[NONCE_SIZE];
            b.get(nonce);
            int k = b.get() & 0xFF;
            if (session < 1 || window < 1 || k < 1 || k > Math.min(window, session)) {
                throw new GroupKeyFormatException("session broadcast: session " + Long.toUnsignedString(session)
                        + ", window " + window + ", " + k + " epochs out of range");
            }
            List<Long> starts = new ArrayList<>();
            for (int i = 1; i < k; i++) {
                starts.add(session - (b.get() & 0xFF));
            }
            try {
                checkShape(session, window, starts);
            } catch (IllegalArgumentException e) {
                throw new GroupKeyFormatException("session broadcast: " + e.getMessage());
            }
            int n = b.getShort() & 0xFFFF;
            int headerLength = b.position();
            int ctLength = entrySize(k) - PersonalSecret.TAG_SIZE;
            if ((long) n * entrySize(k) != b.remaining()) {
                throw new GroupKeyFormatException("session broadcast: " + b.remaining() + " bytes of entries, "
                        + n + " entries of " + entrySize(k) + " expected");
            }
            List<byte[]> tags = new ArrayList<>(n);
            List<byte[]> cts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] tag = new byte[PersonalSecret.TAG_SIZE];
                byte[] ct = new byte[ctLength];
                b.get(tag).get(ct);
                if (i > 0 && Arrays.compareUnsigned(tags.get(i - 1), tag) > 0) {
                    throw new GroupKeyFormatException("session broadcast: entries not sorted by tag");
                }
                tags.add(tag);
                cts.add(ct);
            }
            return new SessionBroadcast(group, session, window, nonce, starts, tags, cts, bytes.clone(), headerLength);
        } catch (BufferUnderflowException e) {
            throw new GroupKeyFormatException("session broadcast truncated");
        }
    }

    /** Epoch starts lie inside the window, after its first session, increasing. */
    private static void checkShape(long session, int window, List<Long> epochStarts) {
        if (session < 1 || window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("session from 1, window 1.." + MAX_WINDOW);
        }
        long previous = windowStart(session, window);
        for (long a : epochStarts) {
            if (a <= previous || a > session) {
                throw new IllegalArgumentException("epoch starts must increase inside the window, after its first session");
            }
            previous = a;
        }
    }

    public byte[] encode() {
        return encoded.clone();
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

    /** The first session of this broadcast's window. */
    public long windowStart() {
        return windowStart(session, window);
    }

    /** K, the number of epochs that overlap the window. */
    public int epochs() {
        return epochStarts.size() + 1;
    }

    /** The first sessions of the 2nd..Kth epochs of the window (the 1st started at or before the window). */
    public List<Long> epochStarts() {
        return epochStarts;
    }

    /** The index (0..K-1) of the epoch of session j of the window. */
    int epochOf(long j) {
        int i = 0;
        while (i < epochStarts.size() && epochStarts.get(i) <= j) {
            i++;
        }
        return i;
    }

    /** The first session of epoch i within the window (the window's start for the 1st). */
    long firstSessionOf(int i) {
        return i == 0 ? windowStart() : epochStarts.get(i - 1);
    }

    public int memberCount() {
        return tags.size();
    }

    byte[] nonce() {
        return nonce.clone();
    }

    /** The ciphertexts of the entries that carry this tag (normally one, or none for a non-member). */
    List<byte[]> ciphertextsTagged(byte[] tag) {
        List<byte[]> out = new ArrayList<>(1);
        for (int i = 0; i < tags.size(); i++) {
            if (Arrays.equals(tags.get(i), tag)) {
                out.add(ciphertexts.get(i).clone());
            }
        }
        return out;
    }

    /** The associated data of the entry with this tag: the header followed by the tag. */
    byte[] aad(byte[] tag) {
        byte[] aad = Arrays.copyOf(encoded, headerLength + tag.length);
        System.arraycopy(tag, 0, aad, headerLength, tag.length);
        return aad;
    }

    @Override
    public String toString() {
        return "SessionBroadcast[group=" + group + ", session=" + session + ", window=" + window + ", epochs="
                + epochs() + ", members=" + memberCount() + ", " + encoded.length + " bytes]";
    }
}
