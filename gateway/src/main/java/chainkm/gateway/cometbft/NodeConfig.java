package chainkm.gateway.cometbft;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link CometHome#writeConfig(NodeConfig)} writes into one validator's config.toml.
 *
 * @param moniker         the node's name; must equal the {@link CometHome#moniker()} of its home
 * @param p2pPort         CometBFT p2p port, bound on 127.0.0.1
 * @param rpcPort         CometBFT RPC port, bound on 127.0.0.1 only
 * @param proxyApp        where the ABCI application listens, e.g. {@code tcp://127.0.0.1:26658}
 *                        (or a built-in app name such as {@code kvstore}, for tests)
 * @param profile         consensus timing
 * @param persistentPeers the other validators, each {@code nodeId@host:port}
 */
public record NodeConfig(String moniker, int p2pPort, int rpcPort, String proxyApp, Profile profile,
                         List<String> persistentPeers) {

    private static final Pattern PEER = Pattern.compile("[0-9a-f]{40}@[A-Za-z0-9.\\-]+:[0-9]{1,5}");

    public NodeConfig {
        Objects.requireNonNull(moniker, "moniker");
        Objects.requireNonNull(proxyApp, "proxyApp");
        Objects.requireNonNull(profile, "profile");
        persistentPeers = List.copyOf(persistentPeers);
        if (moniker.isBlank()) {
            throw new IllegalArgumentException("moniker is blank");
        }
        if (proxyApp.isBlank()) {
            throw new IllegalArgumentException("proxyApp is blank");
        }
        checkPort("p2pPort", p2pPort);
        checkPort("rpcPort", rpcPort);
        if (p2pPort == rpcPort) {
            throw new IllegalArgumentException("p2pPort and rpcPort are both " + p2pPort);
        }
        for (String peer : persistentPeers) {
            if (!PEER.matcher(peer).matches()) {
                throw new IllegalArgumentException("persistent peer '" + peer
                        + "' is not nodeId@host:port with a 40-hex-digit lower-case node id");
            }
        }
    }

    /** A persistent peer entry for a validator on loopback. */
    public static String loopbackPeer(String nodeId, int p2pPort) {
        return nodeId + "@127.0.0.1:" + p2pPort;
    }

    private static void checkPort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }
}
