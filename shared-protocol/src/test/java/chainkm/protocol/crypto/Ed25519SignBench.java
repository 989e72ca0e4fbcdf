package chainkm.protocol.crypto;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * Signatures per CPU second of {@link Ed25519.KeyPair#sign} (Bouncy Castle when present, as on a
 * gateway) and of the JDK-only path (as on a device), on 130-byte messages (a ledger
 * transaction's signed part is about that size). A plain main, not a test: run it by hand,
 * e.g. {@code java -cp shared-protocol/target/classes:shared-protocol/target/test-classes:BCPROV.jar
 * chainkm.protocol.crypto.Ed25519SignBench [rounds]}. CPU time of this thread, not wall time,
 * so that other processes on a shared machine disturb it less.
 */
public final class Ed25519SignBench {
    private Ed25519SignBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int perRound = 4000;
        Random random = new Random(1);
        byte[] seed = new byte[Ed25519.PRIVATE_KEY_SIZE];
        random.nextBytes(seed);
        Ed25519.KeyPair key = Ed25519.KeyPair.fromPrivateKey(seed);
        byte[] message = new byte[130];
        random.nextBytes(message);
        System.out.println("signer: " + Ed25519.verifier() + ", JVM: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long[] fast = measure(() -> key.sign(message, 0, message.length), perRound);
            long[] jdk = measure(() -> key.jdkSign(message, 0, message.length), perRound / 4);
            sink += fast[1] + jdk[1];
            System.out.printf("round %d: sign %,.0f/s CPU, jdkSign %,.0f/s CPU%n", r,
                    perRound * 1e9 / fast[0], (perRound / 4) * 1e9 / jdk[0]);
        }
        System.out.println("(checksum " + sink + ")");
    }

    private interface Signing {
        byte[] sign();
    }

    /** {CPU nanoseconds of this thread for n signatures, a checksum that keeps the work alive}. */
    private static long[] measure(Signing signing, int n) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            sum += signing.sign()[i & 63];
        }
        return new long[] {threads.getCurrentThreadCpuTime() - start, sum};
    }
}
