package chainkm.gateway.devices;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Which bootstrap identity became which node, on disk (append-only, fsynced, one
 * {@code <identity> <node id>} line each), written before the join is submitted: a device that
 * retries its join after a crash gets the same node, never a second one.
 */
final class JoinRegistry implements AutoCloseable {
    private final Map<String, Integer> nodes = new HashMap<>();
    private final FileChannel channel;

    JoinRegistry(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split(" ");
                if (f.length == 2) {
                    try {
                        nodes.put(f[0], Integer.parseInt(f[1]));
                    } catch (NumberFormatException torn) {
                        // a line cut by a crash: that join was never submitted
                    }
                }
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    synchronized Integer nodeOf(String identity) {
        return nodes.get(identity);
    }

    synchronized void record(String identity, int nodeId) throws IOException {
        ByteBuffer line = ByteBuffer.wrap((identity + " " + nodeId + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            channel.write(line);
        }
        channel.force(false);
        nodes.put(identity, nodeId);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
