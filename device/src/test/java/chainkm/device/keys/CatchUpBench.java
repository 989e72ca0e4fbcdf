package chainkm.device.keys;

import chainkm.device.store.FileKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.rekey.RekeyMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A wake-up catch-up of N missed operations ({@link CatchUpScenario}) on a file key store, one
 * durable write per message (what the agent did before) against one write for the batch
 * ({@link DeviceKeys#applyAll}), and the signature checks alone, which no batching removes. A
 * plain main, run by hand on the device module's test class path (no Bouncy Castle there, so
 * Ed25519 is the JDK's, as on a device):
 * {@code java -cp device/target/classes:device/target/test-classes:DEPS chainkm.device.keys.CatchUpBench [N] [rounds]}.
 */
public final class CatchUpBench {
    private CatchUpBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<byte[]> missed = CatchUpScenario.missed(n);
        Path dir = Files.createTempDirectory("catch-up-bench");
        System.out.printf("catch-up of %,d operations, Ed25519 by %s%n", n, Ed25519.verifier());
        for (int r = 0; r < rounds; r++) {
            Path file = dir.resolve("keys-" + r + ".store");
            try (FileKeyStore store = FileKeyStore.open(file, new byte[16])) {
                DeviceKeys keys = CatchUpScenario.device(store);
                keys.install(CatchUpScenario.bundle());
                long[] t = start();
                for (byte[] m : missed) {
                    expectApplied(keys.apply(m));
                }
                print("one write per message", t);
                keys.install(CatchUpScenario.bundle());
                t = start();
                keys.applyAll(missed).forEach(CatchUpBench::expectApplied);
                print("one write for the batch", t);
                t = start();
                for (byte[] m : missed) {
                    if (!RekeyMessage.decode(m).verify(CatchUpScenario.SIGNER.publicKey())) {
                        throw new IllegalStateException("bad signature");
                    }
                }
                print("  of which signature checks", t);
            }
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    private static void expectApplied(DeviceKeys.Result r) {
        if (r.outcome() != DeviceKeys.Outcome.APPLIED) {
            throw new IllegalStateException("not applied: " + r);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static long[] start() {
        return new long[] {System.nanoTime(), THREADS.getCurrentThreadCpuTime()};
    }

    private static void print(String what, long[] t) {
        System.out.printf("%-28s %8.1f ms wall, %8.1f ms CPU%n", what, (System.nanoTime() - t[0]) / 1e6,
                (THREADS.getCurrentThreadCpuTime() - t[1]) / 1e6);
    }
}
