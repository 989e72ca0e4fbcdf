package chainkm.device.keys;

import chainkm.device.store.FileKeyStore;
import chainkm.protocol.crypto.Hex;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link CatchUpCrashIT}: over and over until it is killed, installs
 * {@link CatchUpScenario}'s join bundle in a file key store and catches up on its missed
 * messages as one batch. Reports each durable step as one unbuffered line ending in "ok":
 * <pre>
 * start &lt;seq&gt; ok        (the store as opened)
 * installed ok          (back at the join's seq; the catch-up starts)
 * caught-up &lt;seq&gt; ok    (the catch-up is written; then 200 ms of pause)
 * </pre>
 */
public final class CatchUpWriter {
    private CatchUpWriter() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        byte[] storageKey = Hex.decode(args[1]);
        FileOutputStream report = new FileOutputStream(args[2], true);
        List<byte[]> missed = CatchUpScenario.missed(Integer.parseInt(args[3]));
        FileKeyStore store = FileKeyStore.open(file, storageKey);
        DeviceKeys keys = CatchUpScenario.device(store);
        report(report, "start " + keys.seq());
        while (true) {
            keys.install(CatchUpScenario.bundle());
            report(report, "installed");
            for (DeviceKeys.Result r : keys.applyAll(missed)) {
                if (r.outcome() != DeviceKeys.Outcome.APPLIED) {
                    throw new IllegalStateException("not applied: " + r);
                }
            }
            report(report, "caught-up " + keys.seq());
            Thread.sleep(200); // a window in which the test can kill it after a whole catch-up
        }
    }

    private static void report(FileOutputStream report, String line) throws IOException {
        report.write((line + " ok\n").getBytes(StandardCharsets.UTF_8));
    }
}
