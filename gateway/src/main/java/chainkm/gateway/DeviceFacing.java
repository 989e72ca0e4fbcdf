package chainkm.gateway;

import chainkm.gateway.coap.ClientCoapServer;
import chainkm.gateway.coap.CoapGatewayServer;
import chainkm.gateway.coap.StatementRelay;
import chainkm.gateway.coap.PeerGateways;
import chainkm.gateway.coap.ProxyCoapServer;
import chainkm.gateway.proxy.ObjectAdmission;
import chainkm.gateway.proxy.ObjectCache;
import chainkm.gateway.devices.AttachedDevices;
import chainkm.gateway.devices.ClonePolicy;
import chainkm.gateway.devices.GatewayDeviceService;
import chainkm.gateway.home.GatewayHome;
import chainkm.gateway.home.Genesis;
import chainkm.gateway.keys.GatewaySecrets;
import chainkm.gateway.keyserver.CommittedTokens;
import chainkm.gateway.keyserver.GroupSecretStore;
import chainkm.gateway.keyserver.GroupSessions;
import chainkm.gateway.keyserver.GroupStateStore;
import chainkm.gateway.keyserver.KeyServer;
import chainkm.gateway.keys.KeyFeed;
import chainkm.gateway.keys.RenewalScheduler;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.keys.KeySchedule;
import chainkm.gateway.keys.KeyManager;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.mqtt.BrokerTls;
import chainkm.gateway.mqtt.DeviceAccounts;
import chainkm.gateway.mqtt.DeviceLogins;
import chainkm.gateway.mqtt.DevicePasswords;
import chainkm.gateway.mqtt.DeviceRoster;
import chainkm.gateway.mqtt.EmbeddedBroker;
import chainkm.gateway.mqtt.MosquittoDynsec;
import chainkm.gateway.mqtt.MqttRekeyPublisher;
import chainkm.gateway.mqtt.RekeyAccess;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.crypto.Ed25519;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gateway runs for its devices: the key manager fed by the ledger, the MQTT broker over
 * TLS (embedded unless an external Mosquitto is configured, which the gateway then administers
 * through its dynamic-security plugin) with the rekey publisher and the devices' own MQTT
 * credentials, the CoAP-over-DTLS endpoint for joins, catch-up and {@code GET /mqtt}, and the
 * clients' endpoint for authorization statements and the key server, and the caching proxy of
 * protected objects (pushed on the device endpoint, served anonymously on {@code proxy_port}).
 */
public final class DeviceFacing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceFacing.class);

    private final List<AutoCloseable> parts;
    private final KeyFeed feed;
    private final GatewayDeviceService service;
    private final CoapGatewayServer coap;
    private final ClientCoapServer clients;
    private final ProxyCoapServer proxy;
    private final AttachedDevices attached;

    private DeviceFacing(List<AutoCloseable> parts, KeyFeed feed, GatewayDeviceService service, CoapGatewayServer coap,
                         ClientCoapServer clients, ProxyCoapServer proxy, AttachedDevices attached) {
        this.clients = clients;
        this.proxy = proxy;
        this.parts = parts;
        this.attached = attached;
        this.feed = feed;
        this.service = service;
        this.coap = coap;
    }

    static DeviceFacing start(GatewayHome home, Genesis genesis, GatewayConfig config, LedgerApp ledger,
                              Submitter submitter, Ed25519.KeyPair signer) throws IOException {
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            GatewaySecrets secrets = GatewaySecrets.load(home.dir(), config.id(), genesis.kemKeys());
            String gatewayUser = RekeyAccess.gatewayUser(Integer.toString(config.id()));
            String password = GatewayHome.readLine(home.mqttPassword());
            BrokerTls tls = BrokerTls.load(home.mqttTlsKey(), home.mqttTlsCertificate());
            DevicePasswords devicePasswords = DevicePasswords.load(home.mqttDevicesSecret());
            DeviceRoster roster = new LedgerRoster(ledger);
            DeviceAccounts accounts;
            if (config.mqttUrl().isBlank()) {
                EmbeddedBroker broker = EmbeddedBroker.start(new InetSocketAddress("127.0.0.1", config.mqttPort()), tls,
                        Map.of(gatewayUser, password), devicePasswords, roster, null);
                parts.add(broker);
                accounts = broker;
            } else {
                MosquittoDynsec dynsec = MosquittoDynsec.connect(config.brokerUrl(), tls.pin(), gatewayUser,
                        password.toCharArray(), roster);
                parts.add(dynsec);
                accounts = dynsec;
            }
            DeviceLogins logins = new DeviceLogins(roster, devicePasswords, accounts);
            MqttRekeyPublisher publisher = MqttRekeyPublisher.connect(config.brokerUrl(), tls.pin(), gatewayUser,
                    password.toCharArray(), gatewayUser + "-publisher");
            parts.add(publisher);
            KeyManager keys = new KeyManager(config.id(), secrets, signer, config.rekeyArchiveLimits());
            KeyFeed feed = new KeyFeed(ledger, keys, publisher);
            parts.add(feed);
            GatewayDeviceService service = new GatewayDeviceService(ledger, submitter, feed, secrets);
            PeerGateways peers = new PeerGateways(config.id(),
                    genesis.deviceEndpoints(), other -> KeySchedule.relayPsk(secrets, other));
            parts.add(peers);
            AttachedDevices attached = new AttachedDevices(config.id(),
                    new LedgerAttachments(ledger, config.id()), () -> feed.read(KeyManager::seq), peers::client, publisher);
            parts.add(attached);
            ledger.addCommitListener((height, results) -> {
                attached.onCommit();
                java.util.concurrent.CompletableFuture.runAsync(() -> { // off the consensus thread
                    service.onCommit();
                    logins.closeRevoked();
                });
            });
            long renewBlocks = config.renewAfterBlocksOrDefault();
            long renewOps = config.renewAfterOpsOrDefault();
            RenewalScheduler renewals = new RenewalScheduler(
                    height -> feed.read(k -> k.renewalDue(height, renewBlocks, renewOps)),
                    set -> feed.read(k -> k.renewedAtHeight(set)),
                    set -> submitter.submit(Submitter.Request.renew(set), SubmitMode.SYNC).landed());
            parts.add(renewals);
            ledger.addCommitListener((height, results) -> renewals.committed(height));
            service.attachRelay(attached, ClonePolicy.parse(config.clonePolicy()));
            // IoTChain's key server: on the clients' endpoint, forwarding to the device's home gateway over the peers' channel
            // it runs the group managers of its devices' resources (self-healing group keys, docs/group-keys.md)
            CommittedTokens committed = new CommittedTokens(ledger);
            GroupSessions groups = new GroupSessions(config.id(), signer, new GroupSecretStore(home.groupsDir()),
                    new GroupStateStore(home.groupsDir()), committed, publisher, config.groupWindowOrDefault(),
                    config.groupSessionIntervalOrDefault());
            parts.add(groups);
            java.util.concurrent.ExecutorService groupCommits = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "group-commits");
                t.setDaemon(true);
                return t;
            });
            parts.add(groupCommits::shutdownNow);
            ledger.addCommitListener((height, results) -> groupCommits.execute(groups::committed));
            groups.start();
            KeyServer keyServer = new KeyServer(config.id(), committed, groups, peers);
            // IoTChain's caching proxy: devices push on their DTLS endpoint, anyone reads on proxy_port
            ObjectCache objects = new ObjectCache(ObjectCache.Limits.DEFAULT);
            ProxyCoapServer proxy = ProxyCoapServer.start(objects,
                    new InetSocketAddress(config.coapHost(), config.proxyPortOrDefault()));
            parts.add(proxy);
            CoapGatewayServer coap = CoapGatewayServer.start(service,
                    new InetSocketAddress(config.coapHost(), config.coapPort()), signer, logins::issue, keyServer, groups,
                    new ObjectAdmission(objects));
            parts.add(coap);
            ClientCoapServer clients = ClientCoapServer.start(StatementRelay.of(submitter), keyServer, groups,
                    new InetSocketAddress(config.coapHost(), config.authzPortOrDefault()), signer);
            parts.add(clients);
            LOG.info("devices: CoAP/DTLS on {}:{}, MQTT broker {}; authorization clients: CoAP/DTLS on {}:{}; "
                    + "caching proxy: CoAP on {}:{}", config.coapHost(), coap.port(), config.brokerUrl(),
                    config.coapHost(), clients.port(), config.coapHost(), proxy.port());
            return new DeviceFacing(parts, feed, service, coap, clients, proxy, attached);
        } catch (IOException | RuntimeException e) {
            closeAll(parts);
            throw e;
        }
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

    /** The UDP port of the authorization clients' endpoint. */
    public int authzPort() {
        return clients.port();
    }

    /** The UDP port of the caching proxy's plain CoAP endpoint. */
    public int proxyPort() {
        return proxy.port();
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
