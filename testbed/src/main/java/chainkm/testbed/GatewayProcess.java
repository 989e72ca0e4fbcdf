package chainkm.testbed;

import chainkm.gateway.Main;
import chainkm.gateway.home.GatewayHome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One gateway JVM started by the testnet, logging to H/gateway.log: the product's entry point
 * ({@link Main} {@code --home H}), or {@code chainkm gateway --home H} when a fault test asks
 * for a fault option.
 */
final class GatewayProcess {
    private final Process process;

    private GatewayProcess(Process process) {
        this.process = process;
    }

    static GatewayProcess launch(Path home, List<String> extraArgs) throws IOException {
        return launch(home, extraArgs, List.of());
    }

    static GatewayProcess launch(Path home, List<String> extraArgs, List<String> jvmOptions) throws IOException {
        boolean faulty = GatewayCommand.hasFaultOption(extraArgs);
        List<String> args = new ArrayList<>(faulty ? List.of("gateway") : List.of());
        args.addAll(List.of("--home", home.toString()));
        args.addAll(extraArgs);
        List<String> cmd = ChainkmJvm.command(ChainkmJvm.Jit.SERVER, "384m", jvmOptions,
                faulty ? ChainkmCli.class : Main.class, args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(GatewayHome.at(home).gatewayLog().toFile()));
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
            } catch (ExecutionException | TimeoutException e) {
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
