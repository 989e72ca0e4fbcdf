package chainkm.testbed;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/chainkm}: the testbed command line. Each subcommand is its own class. */
@Command(name = "chainkm", mixinStandardHelpOptions = true, version = "chainkm 0.1.0",
        description = "Decentralized key management for device-to-device IoT security: gateways run a CometBFT "
                + "validator each and agree on every rekeying operation.",
        subcommands = {TestnetCommand.class, StatusCommand.class, SubmitCommand.class, GatewayCommand.class, BenchCommand.class,
                ProvisionCommand.class, DeviceCommand.class, InventoryCommand.class, AnalyzeCommand.class, RemoveGatewayCommand.class,
                CommandLine.HelpCommand.class})
public final class ChainkmCli {
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ChainkmCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("chainkm " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
