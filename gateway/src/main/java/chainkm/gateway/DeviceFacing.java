package chainkm.gateway;

import chainkm.gateway.coap.CoapGatewayServer;
import chainkm.gateway.coap.PeerGateways;
import chainkm.gateway.devices.AttachedDevices;
import chainkm.gateway.devices.ClonePolicy;
import chainkm.gateway.devices.GatewayDeviceService;
import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.keys.KeySchedule;
import chainkm.gateway.keys.KeyManager;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.mqtt.EmbeddedBroker;
import chainkm.gateway.mqtt.MqttRekeyPublisher;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.crypto.Ed25519;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gateway runs for its devices: the key manager fed by the ledger, the MQTT broker
 * (embedded unless an external one is configured) with the rekey publisher, and the
 * CoAP-over-DTLS endpoint for joins and catch-up.
 */
public final class DeviceFacing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceFacing.class);

    private final List<AutoCloseable> parts;
    private final KeyFeed feed;
    private final GatewayDeviceService service;
    private final CoapGatewayServer coap;
    private final AttachedDevices attached;

    private DeviceFacing(List<AutoCloseable> parts, KeyFeed feed, GatewayDeviceService service, CoapGatewayServer coap,
                         AttachedDevices attached) {
        this.parts = parts;
        this.attached = attached;
        this.feed = feed;
        this.service = service;
        this.coap = coap;
    }

    static DeviceFacing start(Path home, GatewayConfig config, LedgerApp ledger, Submitter submitter,
                              Ed25519.KeyPair signer) throws IOException {
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            GatewaySecrets secrets = GatewaySecrets.load(home, config.id(),
                    kemKeys(home.resolve(config.cometbftHome()).resolve("config").resolve("genesis.json")));
            String gatewayUser = "gateway-" + config.id();
            String password = Files.readString(home.resolve(GatewayNode.MQTT_PASSWORD_FILE)).trim();
            if (config.mqttUrl().isBlank()) {
                String devicePassword = Files.readString(home.resolve(GatewayNode.MQTT_DEVICE_PASSWORD_FILE)).trim();
                parts.add(EmbeddedBroker.start(new InetSocketAddress("127.0.0.1", config.mqttPort()),
                        Map.of(gatewayUser, password), devicePassword, null));
            }
            MqttRekeyPublisher publisher = MqttRekeyPublisher.connect(config.brokerUrl(), gatewayUser,
                    password.toCharArray(), gatewayUser + "-publisher");
            parts.add(publisher);
            KeyManager keys = new KeyManager(config.id(), secrets, signer, config.rekeyArchiveLimits());
            KeyFeed feed = new KeyFeed(ledger, keys, publisher);
            parts.add(feed);
            GatewayDeviceService service = new GatewayDeviceService(ledger, submitter, feed, secrets,
                    home.resolve("keys").resolve("joins.log"));
            parts.add(service);
            Path genesis = home.resolve(config.cometbftHome()).resolve("config").resolve("genesis.json");
            PeerGateways peers = new PeerGateways(config.id(),
                    peerCoap(genesis), other -> KeySchedule.relayPsk(secrets, other));
            parts.add(peers);
            AttachedDevices attached = new AttachedDevices(config.id(),
                    new LedgerAttachments(ledger, config.id()), () -> feed.read(KeyManager::seq), peers::client, publisher);
            parts.add(attached);
            ledger.addCommitListener((height, results) -> {
                attached.onCommit();
                java.util.concurrent.CompletableFuture.runAsync(service::onCommit); // off the consensus thread
            });
            service.attachRelay(attached, ClonePolicy.parse(config.clonePolicy()));
            CoapGatewayServer coap = CoapGatewayServer.start(service,
                    new InetSocketAddress(config.coapHost(), config.coapPort()));
            parts.add(coap);
            LOG.info("devices: CoAP/DTLS on {}:{}, MQTT broker {}", config.coapHost(), coap.port(), config.brokerUrl());
            return new DeviceFacing(parts, feed, service, coap, attached);
        } catch (IOException | RuntimeException e) {
            closeAll(parts);
            throw e;
        }
    }

    /** Genesis app_state.gateways: the consortium, one entry per gateway. */
    private static JsonNode genesisGateways(Path genesis) throws IOException {
        return new ObjectMapper().readTree(genesis.toFile()).path("app_state").path("gateways");
    }

    /** The consortium's X25519 keys from genesis app_state.gateways[].kem_key. */
    static Map<Integer, byte[]> kemKeys(Path genesis) throws IOException {
        JsonNode gateways = genesisGateways(genesis);
        Map<Integer, byte[]> keys = new TreeMap<>();
        for (JsonNode g : gateways) {
            String kem = g.path("kem_key").asText("");
            if (kem.isEmpty()) {
                throw new IOException(genesis + ": gateway " + g.path("id").asInt() + " has no kem_key");
            }
            keys.put(g.path("id").asInt(), Base64.getDecoder().decode(kem));
        }
        return keys;
    }

    /** Each gateway's CometBFT validator key from genesis app_state.gateways[].validator_key, where it is given. */
    static Map<Integer, byte[]> validatorKeys(Path genesis) throws IOException {
        JsonNode gateways = genesisGateways(genesis);
        Map<Integer, byte[]> out = new TreeMap<>();
        for (JsonNode g : gateways) {
            String key = g.path("validator_key").asText("");
            if (!key.isEmpty()) {
                out.put(g.path("id").asInt(), Base64.getDecoder().decode(key));
            }
        }
        return out;
    }

    /** Each gateway's device endpoint from genesis app_state.gateways[].coap ("host:port"), where it is given. */
    static Map<Integer, InetSocketAddress> peerCoap(Path genesis) throws IOException {
        JsonNode gateways = genesisGateways(genesis);
        Map<Integer, InetSocketAddress> out = new TreeMap<>();
        for (JsonNode g : gateways) {
            String coap = g.path("coap").asText("");
            int colon = coap.lastIndexOf(':');
            if (colon > 0) {
                out.put(g.path("id").asInt(), new InetSocketAddress(coap.substring(0, colon),
                        Integer.parseInt(coap.substring(colon + 1))));
            }
        }
        return out;
    }

    /** The committed ledger's view for the relay: owners of nodes' sets, and the nodes attached to this gateway. */
    private record LedgerAttachments(LedgerApp ledger, int me) implements AttachedDevices.Ledger {
        @Override
        public int ownerOf(int nodeId) {
            return ledger.readCommitted(s -> s.member(nodeId).map(m -> s.layout().ownerOf(m.setId())).orElse(-1));
        }

        @Override
        public int attachedGatewayOf(int nodeId) {
            return ledger.readCommitted(s -> s.member(nodeId).map(m -> m.attachedGateway()).orElse(-1));
        }

        @Override
        public java.util.Set<Integer> attachedHere() {
            return ledger.readCommitted(s -> {
                java.util.Set<Integer> out = new java.util.TreeSet<>();
                s.members().values().forEach(m -> {
                    if (m.attachedGateway() == me) {
                        out.add(m.nodeId());
                    }
                });
                return out;
            });
        }
    }

    public GatewayDeviceService service() {
        return service;
    }

    public KeyFeed keys() {
        return feed;
    }

    public int coapPort() {
        return coap.port();
    }

    public long seq() {
        return feed.read(KeyManager::seq);
    }

    /** Devices attached to this gateway now (the ledger's attachment, plus rejoins still waiting for their block). */
    public int attachedDevices() {
        return attachedNodes().size();
    }

    public java.util.Set<Integer> attachedNodes() {
        return attached.attached();
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closeAll(parts);
    }
}
