package chainkm.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM running {@code chainkm ARGS} (or another main class) with this
 * JVM's class path (and its CometBFT location), as the testnet starts gateways and tests start devices.
 */
final class ChainkmJvm {
    private ChainkmJvm() {}

    /** Which just-in-time compilers a child JVM gets. */
    enum Jit {
        /**
         * C1 only ({@code -XX:TieredStopAtLevel=1}): a short-lived command or a device agent starts
         * on less CPU (no C2 compiler threads competing on 2 cores), as the device image runs it.
         */
        QUICK,
        /**
         * The full tiered compiler, C2 included, as the gateway distribution runs: a gateway lives
         * long, and C2 makes its hot code (Ed25519, hashing) markedly faster, for more CPU in its
         * first minutes while C2 compiles.
         */
        SERVER
    }

    static List<String> command(String maxHeap, List<String> args) {
        return command(maxHeap, List.of(), args);
    }

    /** @param jvmOptions further JVM options, e.g. {@code -XX:StartFlightRecording=...} for a benchmark profile */
    static List<String> command(String maxHeap, List<String> jvmOptions, List<String> args) {
        return command(maxHeap, jvmOptions, ChainkmCli.class, args);
    }

    /** @param main the class whose {@code main} the JVM runs (with C1 only, {@link Jit#QUICK}) */
    static List<String> command(String maxHeap, List<String> jvmOptions, Class<?> main, List<String> args) {
        return command(Jit.QUICK, maxHeap, jvmOptions, main, args);
    }

    static List<String> command(Jit jit, String maxHeap, List<String> jvmOptions, Class<?> main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + maxHeap);
        cmd.add("-XX:+UseSerialGC");
        if (jit == Jit.QUICK) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(jvmOptions);
        String cometbft = System.getProperty("chainkm.cometbft");
        if (cometbft != null) {
            cmd.add("-Dchainkm.cometbft=" + cometbft);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        return cmd;
    }
}
