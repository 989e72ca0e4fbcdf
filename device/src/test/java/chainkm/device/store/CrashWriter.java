package chainkm.device.store;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.Kdf;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The child process of {@link FileKeyStoreCrashIT}: writes a key store as fast as it can until
 * it is killed. Each transaction moves to the next seq e and replaces the whole contents with
 * {@link #expectedIds(long)}, each key set to {@link #keyAt(KeyId, long)} at seq e, so that a
 * reader can tell a consistent state from a torn one. Before each transaction it reserves a
 * block of nonce counters. It reports each durable step as one line appended to a report file
 * (one unbuffered write(2) per line, which a SIGKILL cannot take back), each ending in "ok":
 * <pre>
 * start &lt;seq&gt; &lt;counter mark&gt; ok
 * nonces &lt;first&gt; &lt;end&gt; ok     (reserved [first, end), durable)
 * epoch &lt;e&gt; ok                   (transaction e committed)
 * </pre>
 */
public final class CrashWriter {
    static final String COUNTER = "d2d";
    static final int BLOCK = 16;

    private CrashWriter() {}

    /** How many keys the store holds at seq e: grows and shrinks, up to 500 (about 16 KB). */
    static int sizeAt(long seq) {
        return seq == 0 ? 0 : 1 + (int) ((seq * 37) % 500);
    }

    static KeyId idOf(int i) {
        return switch (i % 4) {
            case 0 -> KeyId.nodeKey(i);
            case 1 -> KeyId.setKey(i);
            case 2 -> KeyId.pairwiseNodeKey(i, i + 100_000);
            default -> KeyId.pairwiseSetKey(i, i + 100_000);
        };
    }

    static Set<KeyId> expectedIds(long seq) {
        Set<KeyId> ids = new TreeSet<>();
        for (int i = 0; i < sizeAt(seq); i++) {
            ids.add(idOf(i));
        }
        return ids;
    }

    static byte[] keyAt(KeyId id, long seq) {
        return Kdf.derive("crash-test".getBytes(StandardCharsets.UTF_8), null, id + "@" + seq, KeyMaterial.KEY_SIZE);
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        byte[] storageKey = Hex.decode(args[1]);
        report = new FileOutputStream(args[2], true);
        FileKeyStore store = FileKeyStore.open(file, storageKey);
        report("start " + store.seq() + " " + store.counter(COUNTER));
        while (true) {
            long first = store.nextNonceCounter(COUNTER, BLOCK);
            report("nonces " + first + " " + (first + BLOCK));
            long seq = store.seq() + 1;
            Set<KeyId> expected = expectedIds(seq);
            store.edit(edit -> {
                for (KeyId id : edit.ids()) {
                    if (!expected.contains(id)) {
                        edit.remove(id);
                    }
                }
                for (KeyId id : expected) {
                    edit.put(new KeyMaterial(id, keyAt(id, seq), seq));
                }
                edit.setSeq(seq);
            });
            report("epoch " + seq);
        }
    }

    private static FileOutputStream report;

    private static void report(String line) throws IOException {
        report.write((line + " ok\n").getBytes(StandardCharsets.UTF_8));
    }
}
