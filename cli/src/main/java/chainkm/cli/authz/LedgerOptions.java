package chainkm.cli.authz;

import picocli.CommandLine.Option;

/**
 * Where a command reads the ledger: the CometBFT RPC of {@code --testnet DIR --gateway N}, or
 * {@code --rpc-port PORT} on this machine's loopback (CometBFT's RPC listens on loopback only: for
 * a remote gateway, a tunnel such as {@code ssh -L PORT:127.0.0.1:RPC_PORT}).
 */
public final class LedgerOptions extends TestnetGateway {
    @Option(names = "--rpc-port", paramLabel = "PORT",
            description = "A gateway's CometBFT RPC on 127.0.0.1 (e.g. an SSH tunnel) instead of --testnet/--gateway.")
    Integer rpcPort;

    LedgerReader reader() throws java.io.IOException {
        if (rpcPort != null) {
            if (rpcPort < 1 || rpcPort > 65535) {
                throw usage("--rpc-port " + rpcPort + " is out of range");
            }
            return new LedgerReader(rpcPort, "the CometBFT RPC at 127.0.0.1:" + rpcPort);
        }
        int port = layoutGateway().rpcPort();
        return new LedgerReader(port, "gateway " + gateway + "'s CometBFT RPC (127.0.0.1:" + port + ")");
    }
}
