package chainkm.device.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where file-reading targets put their inputs: a directory on tmpfs when the machine has one, so
 * that the fsyncs of the code under test cost nothing, removed when the JVM exits.
 */
public final class Scratch {
    private Scratch() {}

    public static Path directory(String name) {
        try {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "chainkm-fuzz-" + name) : Files.createTempDirectory("chainkm-fuzz-" + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    /** True in a fuzzing run ({@code JAZZER_FUZZ} set), false in a regression run. */
    public static boolean fuzzing() {
        String v = System.getenv("JAZZER_FUZZ");
        return v != null && !v.isEmpty();
    }
}
