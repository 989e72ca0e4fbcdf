package chainkm.testbed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One gateway JVM ({@code chainkm gateway --home H}) started by the testnet, logging to H/gateway.log. */
final class GatewayProcess {
    private final Process process;

    private GatewayProcess(Process process) {
        this.process = process;
    }

    static GatewayProcess launch(Path home, List<String> extraArgs) throws IOException {
        return launch(home, extraArgs, List.of());
    }

    static GatewayProcess launch(Path home, List<String> extraArgs, List<String> jvmOptions) throws IOException {
        List<String> args = new ArrayList<>(List.of("gateway", "--home", home.toString()));
        args.addAll(extraArgs);
        List<String> cmd = ChainkmJvm.command("384m", jvmOptions, args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("gateway.log").toFile()));
        return new GatewayProcess(pb.start());
    }

    /** The gateway JVM's process and the processes it started (its CometBFT). */
    ProcessHandle handle() {
        return process.toHandle();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String exitCode() {
        return process.isAlive() ? "running" : "exit code " + process.exitValue();
    }

    /** kill -9 of the JVM and everything it started (its CometBFT). */
    void kill() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // already gone or unkillable: nothing more to do
            }
        }
    }

    void signalStop() {
        process.destroy();
    }

    void stop() throws InterruptedException {
        signalStop();
        awaitOrKill(20, TimeUnit.SECONDS);
    }

    void awaitOrKill(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            kill();
        }
    }
}
