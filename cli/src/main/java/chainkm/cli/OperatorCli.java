package chainkm.cli;

import chainkm.cli.authz.AccessCommand;
import chainkm.cli.authz.ClientCommand;
import chainkm.cli.authz.GroupCommand;
import chainkm.cli.authz.PolicyCommand;
import chainkm.cli.authz.TokenCommand;
import chainkm.cli.authz.VoucherCommand;
import chainkm.cli.objects.ResourceCommand;
import chainkm.gateway.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator's commands on a consortium (testnet) directory: provision devices, ask the
 * gateways for their status and inventory, submit and analyze, remove a gateway, run a device;
 * and the authorization commands of owners and clients ({@code client}, {@code policy},
 * {@code voucher}, {@code token}: package {@code chainkm.cli.authz}).
 * {@code bin/chainkm} is the testbed's command line, which has these and adds {@code testnet},
 * {@code gateway} (with its fault-test options) and {@code bench}.
 */
@Command(name = "chainkm", mixinStandardHelpOptions = true, version = "chainkm 0.1.0",
        description = "Decentralized key management for device-to-device IoT security: the operator's commands.",
        subcommands = {StatusCommand.class, SubmitCommand.class, ProvisionCommand.class, DeviceCommand.class,
                InventoryCommand.class, AnalyzeCommand.class, RemoveGatewayCommand.class,
                ClientCommand.class, PolicyCommand.class, VoucherCommand.class, TokenCommand.class,
                AccessCommand.class, GroupCommand.class, ResourceCommand.class,
                CommandLine.HelpCommand.class})
public final class OperatorCli {
    public static void main(String[] args) {
        System.exit(Main.execute(new OperatorCli(), args));
    }
}
