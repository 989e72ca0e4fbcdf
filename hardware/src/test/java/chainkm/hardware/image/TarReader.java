package chainkm.hardware.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a ustar tarball back, for the tests. */
final class TarReader {
    private static final int BLOCK = 512;

    private TarReader() {
    }

    /** Reads a tarball made by {@link ImageBuilder#build} back: path to (mode, uid, gid, owner, mtime, content). */
    public static Map<String, Entry> read(Path tarGz) throws IOException {
        byte[] all;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(tarGz))) {
            all = in.readAllBytes();
        }
        Map<String, Entry> entries = new java.util.LinkedHashMap<>();
        int at = 0;
        while (at + BLOCK <= all.length && all[at] != 0) {
            String name = field(all, at, 100);
            long size = Long.parseLong(field(all, at + 124, 12).trim(), 8);
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            content.write(all, at + BLOCK, (int) size);
            entries.put(name, new Entry(Integer.parseInt(field(all, at + 100, 8).trim(), 8),
                    Integer.parseInt(field(all, at + 108, 8).trim(), 8), Integer.parseInt(field(all, at + 116, 8).trim(), 8),
                    field(all, at + 265, 32) + ":" + field(all, at + 297, 32),
                    Long.parseLong(field(all, at + 136, 12).trim(), 8), (char) all[at + 156], content.toByteArray()));
            at += BLOCK + (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
        }
        return entries;
    }

    private static String field(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    /** One entry of a tarball. */
    public record Entry(int mode, int uid, int gid, String owner, long mtime, char type, byte[] content) {
        public List<String> lines() {
            return new ArrayList<>(List.of(new String(content, StandardCharsets.UTF_8).split("\n")));
        }
    }
}
