package chainkm.gateway.submit;

import chainkm.protocol.crypto.Hex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sync-mode operations that the gateway acknowledged but has not yet seen committed, on disk,
 * so that a gateway killed in between still makes them land after its restart. Append-only
 * lines, fsynced: {@code P <key> <tx hex>} (latest attempt for that operation) and
 * {@code D <key>} (landed or refused for good), where the key is the node id, or
 * {@code enroll:<device name>} / {@code activate:<device name>} for an identity's operation
 * (they have no node id). Compacted when opened.
 */
public final class PendingJournal implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final Map<String, byte[]> recovered;

    private PendingJournal(Path file, FileChannel channel, Map<String, byte[]> recovered) {
        this.file = file;
        this.channel = channel;
        this.recovered = recovered;
    }

    public static PendingJournal open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, byte[]> pending = new LinkedHashMap<>();
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            // only lines ended by '\n' were written whole: what follows the last one is a torn append
            for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                String[] f = line.trim().split(" ");
                try {
                    if (f.length == 3 && f[0].equals("P")) {
                        pending.put(f[1], Hex.decode(f[2]));
                    } else if (f.length == 2 && f[0].equals("D")) {
                        pending.remove(f[1]);
                    }
                } catch (IllegalArgumentException torn) {
                    // a line cut by a crash mid-write: the operation it announced was never acknowledged
                }
            }
        }
        // compact: rewrite only what is still pending, atomically
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder sb = new StringBuilder();
        pending.forEach((node, tx) -> sb.append("P ").append(node).append(' ').append(Hex.encode(tx)).append('\n'));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new PendingJournal(file, ch, pending);
    }

    /** What was pending when the journal was opened: key (node id, or identity operation) to its latest transaction. */
    public Map<String, byte[]> recovered() {
        return new LinkedHashMap<>(recovered);
    }

    public void pending(int nodeId, byte[] tx) throws IOException {
        pending(Integer.toString(nodeId), tx);
    }

    public synchronized void pending(String key, byte[] tx) throws IOException {
        append("P " + checkKey(key) + " " + Hex.encode(tx) + "\n");
    }

    public void done(int nodeId) throws IOException {
        done(Integer.toString(nodeId));
    }

    public synchronized void done(String key) throws IOException {
        append("D " + checkKey(key) + "\n");
    }

    private static String checkKey(String key) {
        if (key.isEmpty() || key.indexOf(' ') >= 0 || key.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("journal key '" + key + "'");
        }
        return key;
    }

    private void append(String line) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
    }

    public Path file() {
        return file;
    }

    /** Keys still pending when opened, for tests and status. */
    public List<String> pendingNodesAtOpen() {
        return List.copyOf(recovered.keySet());
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
