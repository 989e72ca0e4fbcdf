package chainkm.cli.authz;

import chainkm.cli.TestnetLayout;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Which gateway of a testnet (or consortium) directory a command talks to: {@code --testnet DIR
 * --gateway N}, by default gateway 1 of {@code build/run} ({@code make run}'s testnet). The
 * options of {@link ClientPortOptions} and {@link LedgerOptions} build on it.
 */
public abstract class TestnetGateway {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = {"--testnet", "--dir"}, paramLabel = "DIR", defaultValue = "build/run",
            description = "The testnet's directory (default ${DEFAULT-VALUE}, what make run starts).")
    Path testnet;

    @Option(names = "--gateway", paramLabel = "N", defaultValue = "1",
            description = "The gateway of --testnet to talk to, by id (default ${DEFAULT-VALUE}).")
    int gateway;

    /** The chosen gateway in the testnet's layout; IOException when the directory holds no testnet. */
    TestnetLayout.Gateway layoutGateway() throws IOException {
        TestnetLayout layout = TestnetLayout.load(testnet);
        try {
            return layout.gateway(gateway);
        } catch (IllegalArgumentException e) {
            throw usage("--gateway " + gateway + ": " + e.getMessage());
        }
    }

    ParameterException usage(String message) {
        return new ParameterException(mixee.commandLine(), message);
    }
}
