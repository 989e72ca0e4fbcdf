package chainkm.testbed;

import chainkm.cli.TestnetLayout;
import chainkm.gateway.GatewayConfig;
import chainkm.gateway.GatewayKey;
import chainkm.gateway.cometbft.CometHome;
import chainkm.gateway.cometbft.NodeConfig;
import chainkm.gateway.cometbft.Profile;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.mqtt.BrokerTls;
import chainkm.gateway.mqtt.DevicePasswords;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.TlsPin;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Generates a testnet of N gateways on loopback: for each, a {@link GatewayHome} with a CometBFT
 * home (validator and node keys, 0600), its secrets (0600), its MQTT broker's TLS key (0600) and
 * certificate, gateway.toml; then
 * one genesis listing every validator and, in app_state, the consortium's gateway keys and the
 * pins of their MQTT brokers' keys ({@code mqtt_tls_sha256}).
 */
public final class TestnetGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per gateway: rpc, p2p, control, coap, mqtt, authz, proxy (the ABCI application has a unix socket, no port). */
    private static final int PORTS = 7;

    private TestnetGenerator() {}

    public static TestnetLayout generate(Path dir, int gateways, Profile profile) throws IOException {
        if (gateways < 1 || gateways > 64) {
            throw new IllegalArgumentException("--gateways must be between 1 and 64");
        }
        Files.createDirectories(dir);
        int[] ports = freePorts(gateways * PORTS);
        List<TestnetLayout.Gateway> entries = new ArrayList<>();
        List<CometHome> homes = new ArrayList<>();
        ObjectNode appState = JSON.createObjectNode();
        ArrayNode consortium = appState.putArray("gateways");
        SecureRandom random = new SecureRandom();
        for (int i = 1; i <= gateways; i++) {
            String name = "gateway-" + i;
            GatewayHome home = GatewayHome.create(dir.resolve(name));
            int base = (i - 1) * PORTS;
            TestnetLayout.Gateway g = new TestnetLayout.Gateway(i, name, name, ports[base], ports[base + 1],
                    ports[base + 2], ports[base + 3], ports[base + 4]);
            entries.add(g);
            Ed25519.KeyPair key = GatewayKey.generate(home.gatewayKey());
            byte[] kem = GatewaySecrets.generate(home.dir());
            TlsPin mqttPin = BrokerTls.generate(home.mqttTlsKey(), home.mqttTlsCertificate(), name + " MQTT broker");
            ObjectNode member = consortium.addObject();
            member.put("id", i).put("name", name)
                    .put("public_key", Base64.getEncoder().encodeToString(key.publicKey()))
                    .put("kem_key", Base64.getEncoder().encodeToString(kem))
                    .put("coap", "127.0.0.1:" + g.coapPort())
                    .put("mqtt_tls_sha256", mqttPin.hex());
            GatewayHome.writeSecret(home.mqttPassword(), HexFormat.of().formatHex(randomBytes(16)));
            DevicePasswords.generate(home.mqttDevicesSecret());
            byte[] token = new byte[24];
            random.nextBytes(token);
            GatewayHome.writeSecret(home.controlToken(), HexFormat.of().formatHex(token));
            new GatewayConfig(i, name, GatewayHome.SIGNING_KEY, GatewayHome.COMETBFT_HOME, g.rpcPort(),
                    g.controlPort(), 3000, g.coapPort(), "127.0.0.1", g.mqttPort(), "")
                    .withAuthzPort(ports[base + 5]).withProxyPort(ports[base + 6]).save(home.dir());
            CometHome comet = CometHome.init(home.cometbftHome(), name);
            member.put("validator_key", comet.validatorPubKeyBase64());
            homes.add(comet);
        }
        for (int i = 0; i < gateways; i++) {
            List<String> peers = new ArrayList<>();
            for (int j = 0; j < gateways; j++) {
                if (j != i) {
                    peers.add(NodeConfig.loopbackPeer(homes.get(j).nodeId(), entries.get(j).p2pPort()));
                }
            }
            TestnetLayout.Gateway g = entries.get(i);
            // the ledger application's unix socket (the gateway points proxy_app at it again at each start)
            String abci = "unix://" + GatewayHome.at(dir.resolve(g.home())).abciSocket().toAbsolutePath();
            homes.get(i).writeConfig(new NodeConfig(g.name(), g.p2pPort(), g.rpcPort(), abci, profile, peers));
        }
        String chainId = "chainkm-testnet";
        CometHome.writeGenesis(homes, chainId, JSON.writeValueAsString(appState));
        TestnetLayout layout = new TestnetLayout(chainId, profile.name().toLowerCase(), entries);
        layout.save(dir);
        return layout;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Distinct free loopback ports, all held open until every one is chosen. */
    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
