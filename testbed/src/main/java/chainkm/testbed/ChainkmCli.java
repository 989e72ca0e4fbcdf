package chainkm.testbed;

import chainkm.cli.AnalyzeCommand;
import chainkm.cli.DeviceCommand;
import chainkm.cli.InventoryCommand;
import chainkm.cli.ProvisionCommand;
import chainkm.cli.RemoveGatewayCommand;
import chainkm.cli.StatusCommand;
import chainkm.cli.SubmitCommand;
import chainkm.cli.authz.ClientCommand;
import chainkm.cli.authz.PolicyCommand;
import chainkm.cli.authz.TokenCommand;
import chainkm.cli.authz.VoucherCommand;
import chainkm.gateway.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/chainkm}: the operator's commands (module {@code cli}) with the testbed's own,
 * {@code testnet}, {@code gateway} (with fault options) and {@code bench}. Each subcommand is its own class.
 */
@Command(name = "chainkm", mixinStandardHelpOptions = true, version = "chainkm 0.1.0",
        description = "Decentralized key management for device-to-device IoT security: gateways run a CometBFT "
                + "validator each and agree on every rekeying operation.",
        subcommands = {TestnetCommand.class, StatusCommand.class, SubmitCommand.class, GatewayCommand.class, BenchCommand.class,
                ProvisionCommand.class, DeviceCommand.class, InventoryCommand.class, AnalyzeCommand.class, RemoveGatewayCommand.class,
                ClientCommand.class, PolicyCommand.class, VoucherCommand.class, TokenCommand.class,
                chainkm.cli.authz.AccessCommand.class, chainkm.cli.authz.GroupCommand.class,
                CommandLine.HelpCommand.class})
public final class ChainkmCli {
    public static void main(String[] args) {
        System.exit(Main.execute(new ChainkmCli(), args));
    }
}
