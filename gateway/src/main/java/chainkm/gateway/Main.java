package chainkm.gateway;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The gateway's entry point ({@code bin/gateway} of the distribution, and the testnet's gateway JVMs). */
@Command(name = "gateway", mixinStandardHelpOptions = true, version = "chainkm gateway 0.1.0",
        description = {"Run one gateway in the foreground from its home directory: the ledger ABCI application, its "
                + "CometBFT validator (a child process it supervises), the device endpoints (CoAP/DTLS, MQTT) and the "
                + "local control API. Stops on SIGTERM.",
                "The CometBFT executable: the system property chainkm.cometbft, else the environment variable "
                + "CHAINKM_COMETBFT (bin/gateway sets it to cometbft on the PATH when it is unset), else "
                + "build/bin/cometbft in the working directory or one of its parents."})
public final class Main implements Callable<Integer> {
    @Option(names = "--home", required = true, description = "The gateway's home (e.g. DIR/gateway-1).")
    Path home;

    @Option(names = "--mqtt-url", description = "Use this external MQTT broker instead of the embedded one: "
            + "ssl://HOST:PORT of a Mosquitto with a TLS listener using this gateway's mqtt-tls.key and mqtt-tls.crt "
            + "and the dynamic-security plugin, this gateway as its administrator (see docs/operating-gateways.md).")
    String mqttUrl;

    @Override
    public Integer call() throws Exception {
        return runUntilStopped(GatewayNode.start(home.toAbsolutePath(), mqttUrl));
    }

    /** Keeps {@code node} running until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it. */
    public static int runUntilStopped(GatewayNode node) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * Runs a picocli command of chainkm's (this one, or {@code bin/chainkm}'s); a failure prints one
     * line, "chainkm COMMAND [SUBCOMMAND]: message", and gives exit code 1.
     */
    public static int execute(Object command, String... args) {
        return commandLine(command).execute(args);
    }

    /** The command line {@link #execute} runs: a failure is one line on its error writer and exit code 1. */
    public static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String name = cmd.getCommandSpec().qualifiedName(); // "chainkm policy put", "gateway"
            cmd.getErr().println((name.startsWith("chainkm") ? name : "chainkm " + name) + ": "
                    + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(execute(new Main(), args));
    }
}
