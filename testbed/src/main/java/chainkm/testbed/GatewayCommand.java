package chainkm.testbed;

import chainkm.gateway.GatewayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run one gateway in the foreground from its home directory (the testnet starts these): "
                + "the ledger ABCI application, its CometBFT validator and the local control API. Stops on SIGTERM.")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--home", required = true, description = "The gateway's home (e.g. DIR/gateway-1).")
    Path home;

    @Option(names = "--fail-test-index", description = "Fault tests: CometBFT's FAIL_TEST_INDEX crash point for its first start.")
    Integer failTestIndex;

    @Option(names = "--faulty-proposals", description = "Fault tests: a file of hex transactions, one a line, "
            + "that this gateway puts unchecked in every block it proposes.")
    Path faultyProposals;

    @Option(names = "--mqtt-url", description = "Use this external MQTT broker (e.g. tcp://127.0.0.1:1883, a Mosquitto "
            + "configured with the gateway and device users) instead of the embedded one.")
    String mqttUrl;

    @Override
    public Integer call() throws Exception {
        List<byte[]> bad = new ArrayList<>();
        if (faultyProposals != null) {
            for (String line : Files.readAllLines(faultyProposals)) {
                if (!line.isBlank()) {
                    bad.add(chainkm.protocol.crypto.Hex.decode(line.trim()));
                }
            }
        }
        GatewayNode.Faults faults = new GatewayNode.Faults(
                failTestIndex == null ? OptionalInt.empty() : OptionalInt.of(failTestIndex), bad);
        GatewayNode node = GatewayNode.start(home.toAbsolutePath(), faults, mqttUrl);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
        return 0;
    }
}
