package chainkm.hardware.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderTest {
    private static final Instant MTIME = Instant.parse("2024-01-01T00:00:00Z");
    @TempDir
    Path dir;

    private Path overlay() throws IOException {
        Path o = dir.resolve("overlay");
        Files.createDirectories(o.resolve("opt/chainkm/bin"));
        Files.createDirectories(o.resolve("etc/chainkm"));
        Files.writeString(o.resolve("opt/chainkm/bin/chainkm-agent"), "#!/bin/sh\nexec java\n");
        Files.writeString(o.resolve("etc/chainkm/agent.properties"), "board=auto\n");
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        Files.write(lib.resolve("b.jar"), new byte[1000]);
        Files.write(lib.resolve("a.jar"), new byte[] {1, 2, 3});
        return o;
    }

    @Test
    void theTarballIsSortedOwnedByRootWithFixedTimesAndModes() throws IOException {
        Path out = dir.resolve("image.tar.gz");
        ImageBuilder.build(overlay(), dir.resolve("lib"), out, MTIME);
        Map<String, TarReader.Entry> entries = TarReader.read(out);
        assertEquals(List.of("etc/chainkm/", "etc/chainkm/agent.properties", "opt/chainkm/", "opt/chainkm/bin/",
                "opt/chainkm/bin/chainkm-agent", "opt/chainkm/lib/", "opt/chainkm/lib/a.jar", "opt/chainkm/lib/b.jar"),
                List.copyOf(entries.keySet()));
        for (Map.Entry<String, TarReader.Entry> e : entries.entrySet()) {
            TarReader.Entry t = e.getValue();
            assertEquals(0, t.uid(), e.getKey());
            assertEquals(0, t.gid(), e.getKey());
            assertEquals("root:root", t.owner(), e.getKey());
            assertEquals(MTIME.getEpochSecond(), t.mtime(), e.getKey());
        }
        assertEquals(0755, entries.get("opt/chainkm/bin/chainkm-agent").mode());
        assertEquals(0644, entries.get("etc/chainkm/agent.properties").mode());
        assertEquals(0755, entries.get("opt/chainkm/lib/").mode());
        assertEquals('5', entries.get("opt/chainkm/lib/").type());
        assertArrayEquals(new byte[] {1, 2, 3}, entries.get("opt/chainkm/lib/a.jar").content());
        assertEquals(1000, entries.get("opt/chainkm/lib/b.jar").content().length);
    }

    @Test
    void buildingTwiceGivesTheSameBytesWhateverTheSourceFilesTimes() throws IOException {
        Path o = overlay();
        Path first = dir.resolve("1.tar.gz");
        ImageBuilder.build(o, dir.resolve("lib"), first, MTIME);
        Files.setLastModifiedTime(o.resolve("etc/chainkm/agent.properties"), FileTime.from(Instant.now()));
        Path second = dir.resolve("2.tar.gz");
        ImageBuilder.build(o, dir.resolve("lib"), second, MTIME);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void gnuTarReadsIt() throws Exception {
        Path out = dir.resolve("image.tar.gz");
        ImageBuilder.build(overlay(), dir.resolve("lib"), out, MTIME);
        Process p = new ProcessBuilder("tar", "-tvzf", out.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), listing);
        assertTrue(listing.contains("-rwxr-xr-x root/root") && listing.contains("opt/chainkm/bin/chainkm-agent"), listing);
        assertTrue(listing.contains("2024-01-01"), listing);
    }
}
