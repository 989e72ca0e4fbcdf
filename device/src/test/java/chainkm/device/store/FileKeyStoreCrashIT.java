package chainkm.device.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is writing a {@link FileKeyStore} with SIGKILL at random moments, and
 * checks after every kill that the store opens, holds exactly one committed transaction's
 * contents, has not lost anything the writer reported as done, never hands out a nonce counter
 * twice, and that the next writer resumes from it.
 */
class FileKeyStoreCrashIT {
    private static final int KILLS = 35;
    private static final byte[] STORAGE_KEY = Hex.decode("000102030405060708090a0b0c0d0e0f");

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What one writer run reported before it was killed. */
    private record Run(long startSeq, long startCounter, long lastSeq, List<long[]> nonceBlocks) {}

    @Test
    void survivesSigkillAtAnyMoment() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path file = dir.resolve("keys.store");
        long seq = 0;
        long counter = 0;
        int killsAfterAWrite = 0;
        int killsMidWrite = 0;
        int lateKills = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            String where = "kill " + kill + " (seed " + seed + ")";
            // one run in five is killed early (during start-up or its first write), the others at a
            // random moment after their first committed transaction
            boolean early = kill % 5 == 0;
            if (!early) {
                lateKills++;
            }
            Run run = runAndKill(file, early ? 0 : 3, random.nextInt(early ? 300 : 500), where, kill);
            assertEquals(seq, run.startSeq(), where + ": the writer resumes from the state left by the last kill");
            assertEquals(counter, run.startCounter(), where + ": the writer resumes the counter");

            if (Files.exists(KeyStoreFile.tempFile(file))) {
                killsMidWrite++;
            }
            try (FileKeyStore store = FileKeyStore.open(file, STORAGE_KEY)) {
                assertConsistent(store, where);
                long reportedSeq = Math.max(run.startSeq(), run.lastSeq());
                assertTrue(store.seq() == reportedSeq || store.seq() == reportedSeq + 1,
                        where + ": store at epoch " + store.seq() + " after the writer reported " + reportedSeq);
                long mark = counter;
                for (long[] block : run.nonceBlocks()) {
                    assertTrue(block[0] >= mark, where + ": counter block " + block[0] + " reused below " + mark);
                    mark = block[1];
                }
                assertTrue(store.counter(CrashWriter.COUNTER) == mark
                                || store.counter(CrashWriter.COUNTER) == mark + CrashWriter.BLOCK,
                        where + ": counter mark " + store.counter(CrashWriter.COUNTER) + " after blocks up to " + mark);
                assertFalse(Files.exists(KeyStoreFile.tempFile(file)), where + ": open removes a torn write");
                if (store.seq() > seq) {
                    killsAfterAWrite++;
                }
                seq = store.seq();
                counter = store.counter(CrashWriter.COUNTER);
            }
        }
        System.out.printf("FileKeyStoreCrashIT: %d kills, %d during a write, %d after progress, final epoch %d, counter %d%n",
                KILLS, killsMidWrite, killsAfterAWrite, seq, counter);
        assertTrue(killsAfterAWrite >= lateKills, "every late kill follows a commit: " + killsAfterAWrite);
    }

    /** The store holds exactly the contents of one transaction: that of its seq. */
    private static void assertConsistent(FileKeyStore store, String where) {
        long seq = store.seq();
        assertEquals(List.copyOf(CrashWriter.expectedIds(seq)), List.copyOf(store.ids()), where + ": ids at epoch " + seq);
        assertEquals(CrashWriter.sizeAt(seq), store.size(), where);
        for (KeyId id : store.ids()) {
            KeyMaterial material = store.get(id).orElseThrow();
            assertEquals(seq, material.seq(), where + ": " + id + " from another transaction");
            assertArrayEquals(CrashWriter.keyAt(id, seq), material.key(), where + ": bytes of " + id);
        }
    }

    /**
     * Starts a writer, waits until it has reported waitForLines lines (0: just its start), waits
     * millis more, kills it with SIGKILL, and returns what it reported.
     */
    private Run runAndKill(Path file, int waitForLines, int millis, String where, int kill) throws Exception {
        Path stderr = dir.resolve("writer-" + kill + ".err");
        Path reports = dir.resolve("writer-" + kill + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                file.toString(), Hex.encode(STORAGE_KEY), reports.toString());
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.redirectError(stderr.toFile());
        child = builder.start();

        List<String> started = waitForReports(reports, 1, Duration.ofSeconds(60));
        assertFalse(started.isEmpty(), () -> where + ": the writer did not start; " + describe(child) + "; stderr: " + tail(stderr));
        String[] startWords = started.get(0).split(" ");
        assertEquals("start", startWords[0], where + ": " + started.get(0));
        if (waitForLines > 1) {
            assertTrue(waitForReports(reports, waitForLines, Duration.ofSeconds(60)).size() >= waitForLines,
                    () -> where + ": the writer did not commit; " + describe(child) + "; stderr: " + tail(stderr));
        }
        Thread.sleep(millis);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), where + ": the writer survived SIGKILL");
        assertEquals(137, child.exitValue(), () -> where + ": killed by SIGKILL, not ended otherwise: " + tail(stderr));

        long lastSeq = -1;
        List<long[]> blocks = new ArrayList<>();
        List<String> lines = completeLines(reports);
        for (String line : lines.subList(1, lines.size())) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "epoch" -> lastSeq = Long.parseLong(words[1]);
                case "nonces" -> blocks.add(new long[] {Long.parseLong(words[1]), Long.parseLong(words[2])});
                default -> throw new AssertionError(where + ": unexpected line " + line);
            }
        }
        return new Run(Long.parseLong(startWords[1]), Long.parseLong(startWords[2]), lastSeq, blocks);
    }

    /** Waits until the report file holds at least count complete lines, or the writer died, or time is up. */
    private List<String> waitForReports(Path reports, int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = completeLines(reports);
            if (lines.size() >= count || !child.isAlive()) {
                return completeLines(reports);
            }
            Thread.sleep(10);
        }
        return completeLines(reports);
    }

    /** The report lines, without a last line cut by the kill (complete lines end in " ok"). */
    private static List<String> completeLines(Path reports) throws IOException {
        if (!Files.exists(reports)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(reports, StandardCharsets.UTF_8)) {
            if (line.endsWith(" ok")) {
                lines.add(line.substring(0, line.length() - 3));
            }
        }
        return lines;
    }

    private static String describe(Process process) {
        return process.isAlive() ? "still running" : "exited with " + process.exitValue();
    }

    private static String tail(Path file) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no stderr)";
        }
    }
}
