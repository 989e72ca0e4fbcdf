package chainkm.testbed;

import chainkm.gateway.GatewayNode;
import chainkm.gateway.Main;
import chainkm.gateway.abci.AbciApplication;
import chainkm.gateway.cometbft.CometProcess;
import chainkm.protocol.crypto.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/chainkm gateway}: the gateway of {@link Main}, plus the fault tests' options, which
 * the product's entry point does not have.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run one gateway in the foreground from its home directory (the testnet starts these): "
                + "the ledger ABCI application, its CometBFT validator and the local control API. Stops on SIGTERM.")
final class GatewayCommand implements Callable<Integer> {
    /** The options {@link Main} lacks: a gateway started with one of them runs through this command. */
    static final Set<String> FAULT_OPTIONS = Set.of("--fail-test-index", "--faulty-proposals");

    @Option(names = "--home", required = true, description = "The gateway's home (e.g. DIR/gateway-1).")
    Path home;

    @Option(names = "--fail-test-index", description = "Fault tests: CometBFT's FAIL_TEST_INDEX crash point for its first start.")
    Integer failTestIndex;

    @Option(names = "--faulty-proposals", description = "Fault tests: a file of hex transactions, one a line, "
            + "that this gateway puts unchecked in every block it proposes.")
    Path faultyProposals;

    @Option(names = "--mqtt-url", description = "Use this external MQTT broker instead of the embedded one: "
            + "ssl://HOST:PORT of a Mosquitto with a TLS listener using this gateway's mqtt-tls.key and mqtt-tls.crt "
            + "and the dynamic-security plugin, this gateway as its administrator (see docs/operating-gateways.md).")
    String mqttUrl;

    @Override
    public Integer call() throws Exception {
        List<byte[]> bad = new ArrayList<>();
        if (faultyProposals != null) {
            for (String line : Files.readAllLines(faultyProposals)) {
                if (!line.isBlank()) {
                    bad.add(Hex.decode(line.trim()));
                }
            }
        }
        UnaryOperator<AbciApplication> abci = bad.isEmpty() ? UnaryOperator.identity() : app -> new FaultyProposer(app, bad);
        UnaryOperator<CometProcess.Options> cometbft = failTestIndex == null ? UnaryOperator.identity()
                : options -> options.withFailTestIndex(failTestIndex);
        return Main.runUntilStopped(GatewayNode.start(home.toAbsolutePath(), mqttUrl,
                new GatewayNode.Decorators(abci, cometbft)));
    }

    /** True when {@code args} (options of {@code chainkm gateway}) hold a fault option. */
    static boolean hasFaultOption(List<String> args) {
        return args.stream().anyMatch(a -> FAULT_OPTIONS.contains(a.split("=", 2)[0]));
    }
}
