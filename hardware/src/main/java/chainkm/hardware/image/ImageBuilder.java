package chainkm.hardware.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the device image overlay, a tar.gz to unpack over Raspberry Pi OS Lite's root: the
 * files of {@code hardware/image/} and the agent's jars under {@code /opt/chainkm/lib/}.
 * Reproducible: entries sorted by path, one fixed modification time, owner root:root (uid and
 * gid 0), modes 0755 for directories and {@code bin/} files, 0644 otherwise, and a gzip
 * header without a time stamp. Run by the hardware module's package phase.
 *
 * <p>Usage: {@code ImageBuilder OVERLAY_DIR LIB_DIR OUT.tar.gz MTIME(ISO-8601) [JAR...]}: the jars
 * in LIB_DIR and the JARs given go to {@code /opt/chainkm/lib/}.
 */
public final class ImageBuilder {
    /** Directories the overlay owns (created with mode 0755); the others exist on the system already. */
    static final List<String> OWN_DIRECTORIES = List.of("etc/chainkm/", "opt/chainkm/", "opt/chainkm/bin/",
            "opt/chainkm/lib/");
    private static final int BLOCK = 512;

    private ImageBuilder() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: ImageBuilder OVERLAY_DIR LIB_DIR OUT.tar.gz MTIME [JAR...]");
        }
        Path out = Path.of(args[2]);
        List<Path> extra = java.util.Arrays.stream(args, 4, args.length).map(Path::of).toList();
        Map<String, Path> files = build(Path.of(args[0]), Path.of(args[1]), extra, out, Instant.parse(args[3]));
        long jarBytes = 0;
        int jars = 0;
        for (Map.Entry<String, Path> e : files.entrySet()) {
            if (e.getKey().startsWith("opt/chainkm/lib/")) {
                jars++;
                jarBytes += Files.size(e.getValue());
            }
        }
        System.out.printf("device image: %s, %d bytes (the agent: %d jars, %d bytes in /opt/chainkm/lib)%n",
                out, Files.size(out), jars, jarBytes);
    }

    /** Writes the tarball; returns its files (path in the image, source). */
    public static Map<String, Path> build(Path overlay, Path libDir, Path out, Instant mtime) throws IOException {
        return build(overlay, libDir, List.of(), out, mtime);
    }

    /** As above, with {@code jars} in {@code /opt/chainkm/lib/} too. */
    public static Map<String, Path> build(Path overlay, Path libDir, List<Path> jars, Path out, Instant mtime)
            throws IOException {
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(overlay)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(overlay.relativize(p).toString().replace('\\', '/'), p);
            }
        }
        List<Path> all = new java.util.ArrayList<>(jars);
        try (Stream<Path> listed = Files.list(libDir)) {
            all.addAll(listed.filter(j -> j.getFileName().toString().endsWith(".jar")).toList());
        }
        for (Path p : all) {
            files.put("opt/chainkm/lib/" + p.getFileName(), p);
        }
        Map<String, Path> entries = new TreeMap<>(files);
        OWN_DIRECTORIES.forEach(d -> entries.put(d, null));
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
            for (Map.Entry<String, Path> e : entries.entrySet()) {
                String name = e.getKey();
                if (e.getValue() == null) {
                    gz.write(header(name, 0755, 0, '5', mtime));
                } else {
                    byte[] data = Files.readAllBytes(e.getValue());
                    gz.write(header(name, mode(name), data.length, '0', mtime));
                    gz.write(data);
                    gz.write(new byte[(BLOCK - data.length % BLOCK) % BLOCK]);
                }
            }
            gz.write(new byte[2 * BLOCK]); // end of archive
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return files;
    }

    static int mode(String name) {
        return name.startsWith("opt/chainkm/bin/") ? 0755 : 0644;
    }

    /** A POSIX ustar header. */
    static byte[] header(String name, int mode, long size, char type, Instant mtime) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            throw new IllegalArgumentException("path too long for a ustar name: " + name);
        }
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0); // uid
        octal(h, 116, 8, 0); // gid
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime.getEpochSecond());
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        put(h, 265, "root");
        put(h, 297, "root");
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int at, int width, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > width - 1) {
            throw new IllegalArgumentException("value too large for a tar header field: " + value);
        }
        put(h, at, "0".repeat(width - 1 - s.length()) + s + "\0");
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
