package chainkm.device.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.device.store.FileKeyStore;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.keys.KeyId;
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
 * Kills a device process with SIGKILL while it catches up on {@value #MISSED} missed rekey
 * messages (verifying, decrypting, applying and writing them), at random moments, and checks
 * after every kill that its key store holds either the state before the catch-up or the state
 * after all of it, key for key, never a state in between; one kill in four comes just after a
 * whole catch-up was written, and must find all of it.
 */
class CatchUpCrashIT {
    private static final int MISSED = 200;
    private static final int KILLS = 12;
    private static final byte[] STORAGE_KEY = Hex.decode("0f0e0d0c0b0a09080706050403020100");

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

    @Test
    void aCatchUpKilledAtAnyMomentLeavesTheStoreBeforeOrAfterAllOfIt() throws Exception {
        DeviceKeys before = CatchUpScenario.device(new InMemoryKeyStore());
        before.install(CatchUpScenario.bundle());
        DeviceKeys after = CatchUpScenario.device(new InMemoryKeyStore());
        after.install(CatchUpScenario.bundle());
        after.applyAll(CatchUpScenario.missed(MISSED));
        assertEquals(CatchUpScenario.JOINED_AT + MISSED, after.seq());

        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path file = dir.resolve("keys.store");
        long catchUpMillis = 0;
        int midCatchUp = 0;
        int catchUps = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            String where = "kill " + kill + " (seed " + seed + ")";
            Path reports = dir.resolve("writer-" + kill + ".log");
            Path stderr = dir.resolve("writer-" + kill + ".err");
            child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    CatchUpWriter.class.getName(), file.toString(), Hex.encode(STORAGE_KEY), reports.toString(),
                    Integer.toString(MISSED))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
            if (catchUpMillis == 0) {
                // the first run times one whole catch-up, so that later kills can aim inside one
                long t0 = waitFor(reports, "installed", where, stderr);
                catchUpMillis = Math.max(1, (waitFor(reports, "caught-up", where, stderr) - t0) / 1_000_000);
            }
            boolean afterOne = kill % 4 == 3;
            if (afterOne) {
                // in the pause after a whole catch-up: the store must hold all of it
                waitFor(reports, "caught-up", where, stderr);
                Thread.sleep(random.nextInt(100));
            } else {
                waitFor(reports, "installed", where, stderr);
                Thread.sleep(random.nextInt((int) Math.min(Integer.MAX_VALUE, catchUpMillis + 1)));
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), where + ": the device survived SIGKILL");
            List<String> lines = completeLines(reports);
            if (lines.get(lines.size() - 1).equals("installed")) {
                midCatchUp++;
            }
            try (FileKeyStore store = FileKeyStore.open(file, STORAGE_KEY)) {
                DeviceKeys found = CatchUpScenario.device(store);
                DeviceKeys expected = found.seq() == after.seq() ? after : before;
                if (expected == after) {
                    catchUps++;
                }
                assertTrue(found.seq() == before.seq() || found.seq() == after.seq(),
                        where + ": the store is at seq " + found.seq() + ", between the join and the end of the catch-up");
                if (afterOne) {
                    assertEquals(after.seq(), found.seq(), where + ": a written catch-up was lost");
                }
                assertEquals(expected.keyIds(), found.keyIds(), where);
                for (KeyId id : expected.keyIds()) {
                    assertArrayEquals(expected.current(id).orElseThrow().key(), found.current(id).orElseThrow().key(),
                            where + ": " + id);
                }
            }
        }
        System.out.printf("CatchUpCrashIT: %d kills, %d during a catch-up of %d messages (about %d ms each), %d found "
                + "a whole catch-up written%n", KILLS, midCatchUp, MISSED, catchUpMillis, catchUps);
        assertTrue(midCatchUp >= KILLS / 3, "too few kills landed inside a catch-up: " + midCatchUp);
        assertTrue(catchUps > 0, "no kill found a written catch-up");
    }

    /** Waits for a report line starting with {@code word} (after those already read); its time in nanoTime. */
    private long waitFor(Path reports, String word, String where, Path stderr) throws Exception {
        int seen = completeLines(reports).size();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> lines = completeLines(reports);
            for (String line : lines.subList(Math.min(seen, lines.size()), lines.size())) {
                if (line.startsWith(word)) {
                    return System.nanoTime();
                }
            }
            assertTrue(child.isAlive(), () -> where + ": the device died: " + tail(stderr));
            Thread.sleep(2);
        }
        throw new AssertionError(where + ": no '" + word + "' report within 60 s; stderr: " + tail(stderr));
    }

    /** The report lines, without a last line cut by the kill (complete lines end in " ok"). */
    private static List<String> completeLines(Path reports) throws IOException {
        List<String> lines = new ArrayList<>();
        if (Files.exists(reports)) {
            for (String line : Files.readAllLines(reports, StandardCharsets.UTF_8)) {
                if (line.endsWith(" ok")) {
                    lines.add(line.substring(0, line.length() - 3));
                }
            }
        }
        return lines;
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no stderr)";
        }
    }
}
