package chainkm.cli.authz;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a command sends its signed statement: a gateway's client endpoint ({@code authz_port},
 * CoAP over DTLS) and the gateway's key that the DTLS handshake must show. From a testnet
 * directory ({@code --testnet DIR --gateway N}: the port and host from the gateway's
 * gateway.toml, the key from genesis), or, for a remote gateway, {@code --gateway-address
 * HOST:PORT --gateway-key HEX}.
 */
public final class ClientPortOptions extends TestnetGateway {
    @Option(names = "--gateway-address", paramLabel = "HOST:PORT",
            description = "A gateway's client endpoint (its coap_host and authz_port) instead of --testnet/--gateway; "
                    + "needs --gateway-key.")
    String address;

    @Option(names = "--gateway-key", paramLabel = "HEX",
            description = "That gateway's Ed25519 signing key (64 hex digits, its public_key in genesis): the DTLS "
                    + "handshake accepts no other.")
    String key;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the gateway's answer, which comes after the block (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** The client endpoint to use; a ParameterException for inconsistent options. */
    ClientPort port() throws IOException {
        if (timeoutSeconds < 1) {
            throw usage("--timeout is at least 1 second");
        }
        if (address != null || key != null) {
            if (address == null || key == null) {
                throw usage("--gateway-address and --gateway-key go together: the DTLS handshake checks the gateway's key");
            }
            if (!key.trim().matches("(0x)?[0-9a-fA-F]{64}")) {
                throw usage("--gateway-key is the gateway's Ed25519 public key, 64 hex digits");
            }
            InetSocketAddress a = parseAddress(address);
            return new ClientPort(a, chainkm.protocol.crypto.Hex.decode(key.trim()),
                    "the client endpoint " + address, timeoutSeconds * 1000L);
        }
        TestnetLayout.Gateway g = layoutGateway();
        Path home = testnet.resolve(g.home());
        GatewayConfig config = GatewayConfig.load(home);
        byte[] gatewayKey = Genesis.load(GatewayHome.at(home).genesis()).publicKeys().get(g.id());
        if (gatewayKey == null) {
            throw new IOException("genesis of " + testnet + " has no key for gateway " + g.id());
        }
        InetSocketAddress a = new InetSocketAddress(config.coapHost(), config.authzPortOrDefault());
        return new ClientPort(a, gatewayKey, "gateway " + g.id() + "'s client endpoint (" + config.coapHost() + ":"
                + config.authzPortOrDefault() + ")", timeoutSeconds * 1000L);
    }

    /** True when the gateway is given by address and key rather than by --testnet/--gateway. */
    boolean remote() {
        return address != null || key != null;
    }

    /** Gateway {@code id} of the same testnet (for the group broadcasts served by a device's home gateway). */
    ClientPort portOf(int id) throws IOException {
        int chosen = gateway;
        gateway = id;
        try {
            return port();
        } finally {
            gateway = chosen;
        }
    }

    /** The genesis keys of the testnet's gateways. */
    java.util.Map<Integer, byte[]> genesisKeys() throws IOException {
        TestnetLayout.Gateway g = layoutGateway();
        return Genesis.load(GatewayHome.at(testnet.resolve(g.home())).genesis()).publicKeys();
    }

    /** The CometBFT RPC port of the chosen testnet gateway (ledger look-ups). */
    int rpcPort() throws IOException {
        return layoutGateway().rpcPort();
    }

    private InetSocketAddress parseAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw usage("--gateway-address is HOST:PORT, not '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw usage("--gateway-address: '" + hostPort.substring(colon + 1) + "' is not a port");
        }
        if (port < 1 || port > 65535) {
            throw usage("--gateway-address: port " + port + " is out of range");
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw usage("--gateway-address: cannot resolve host '" + host + "'");
        }
        return a;
    }
}
