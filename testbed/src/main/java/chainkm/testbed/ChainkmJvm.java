package chainkm.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM running {@code chainkm ARGS} with this JVM's class path (and
 * its CometBFT location), as the testnet starts gateways and tests start devices.
 */
final class ChainkmJvm {
    private ChainkmJvm() {}

    static List<String> command(String maxHeap, List<String> args) {
        return command(maxHeap, List.of(), args);
    }

    /** @param jvmOptions further JVM options, e.g. {@code -XX:StartFlightRecording=...} for a benchmark profile */
    static List<String> command(String maxHeap, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + maxHeap);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        String cometbft = System.getProperty("chainkm.cometbft");
        if (cometbft != null) {
            cmd.add("-Dchainkm.cometbft=" + cometbft);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChainkmCli.class.getName());
        cmd.addAll(args);
        return cmd;
    }
}
