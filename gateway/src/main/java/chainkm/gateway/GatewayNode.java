package chainkm.gateway;

import chainkm.gateway.abci.AbciServer;
import chainkm.gateway.cometbft.CometBinary;
import chainkm.gateway.cometbft.CometProcess;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.control.ControlServer;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.ledger.StateStore;
import chainkm.gateway.submit.KeyWorkTimes;
import chainkm.gateway.submit.OpTiming;
import chainkm.gateway.submit.PendingJournal;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.ledger.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway ("blockchain participant"): the ledger ABCI application, the CometBFT validator
 * it launches and supervises, the submitter and the local control API. Started from a gateway
 * home made by {@code bin/chainkm testnet}; {@link #close()} stops everything in reverse order.
 */
public final class GatewayNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayNode.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Fault-injection options, for tests only. */
    public record Faults(OptionalInt cometFailTestIndex, List<byte[]> faultyProposals) {
        public static Faults none() {
            return new Faults(OptionalInt.empty(), List.of());
        }
    }

    private final Path home;
    private final GatewayConfig config;
    private final LedgerApp app;
    private final AbciServer abci;
    private final CometProcess comet;
    private final CometRpc rpc;
    private final Submitter submitter;
    private final ControlServer control;
    private final DeviceFacing devices;
    private final KeyWorkTimes keyTimes = new KeyWorkTimes();

    /** This gateway's MQTT password (user {@code gateway-<id>}), a 0600 file in its home. */
    public static final String MQTT_PASSWORD_FILE = "mqtt.password";
    /** The consortium's MQTT password for devices (user {@code device}), a 0600 file in its home. */
    public static final String MQTT_DEVICE_PASSWORD_FILE = "mqtt-device.password";

    private GatewayNode(Path home, GatewayConfig config, LedgerApp app, AbciServer abci, CometProcess comet,
                        CometRpc rpc, Submitter submitter, ControlServer control, DeviceFacing devices) {
        this.home = home;
        this.config = config;
        this.app = app;
        this.abci = abci;
        this.comet = comet;
        this.rpc = rpc;
        this.submitter = submitter;
        this.control = control;
        this.devices = devices;
        devices.keys().addAppliedListener((e, nanos) -> keyTimes.record(e.operation(), e.nodeId(), nanos));
    }

    public static GatewayNode start(Path home, Faults faults) throws IOException {
        return start(home, faults, null);
    }

    /** @param mqttUrl an external broker to use instead of the embedded one, or null for the configured one */
    public static GatewayNode start(Path home, Faults faults, String mqttUrl) throws IOException {
        GatewayConfig loaded = GatewayConfig.load(home);
        GatewayConfig config = mqttUrl == null ? loaded : loaded.withMqttUrl(mqttUrl);
        Ed25519.KeyPair key = GatewayKey.load(home.resolve(config.signingKey()));
        String token = Files.readString(home.resolve("control.token")).trim();
        killStaleCometBft(home);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            LedgerApp app = new LedgerApp(new StateStore(home.resolve("ledger")), faults.faultyProposals());
            app.setValidatorKeys(DeviceFacing.validatorKeys(
                    home.resolve(config.cometbftHome()).resolve("config").resolve("genesis.json")));
            AbciServer abci = AbciServer.startTcp(app, config.abciPort());
            started.add(abci);
            CometProcess.Options opts = CometProcess.Options.of(CometBinary.locate(),
                    home.resolve(config.cometbftHome()), home.resolve("cometbft.log"));
            if (faults.cometFailTestIndex().isPresent()) {
                opts = opts.withFailTestIndex(faults.cometFailTestIndex().getAsInt());
            }
            CometProcess comet = CometProcess.start(opts);
            started.add(comet);
            Files.writeString(home.resolve("cometbft.pid"), Long.toString(comet.pid()));
            CometRpc rpc = new CometRpc(config.rpcPort());
            Submitter submitter = new Submitter(app, new RpcBroadcaster(rpc), key, config.id(),
                    Duration.ofMillis(config.resubmitAfterMs()),
                    PendingJournal.open(home.resolve("ledger").resolve("pending.journal")));
            started.add(submitter);
            submitter.recover();
            DeviceFacing devices = DeviceFacing.start(home, config, app, submitter, key);
            started.add(devices);
            GatewayNode[] self = new GatewayNode[1];
            ControlServer control = ControlServer.start(config.controlPort(), token, new ControlServer.ControlHandler() {
                @Override
                public ObjectNode status() {
                    return self[0].status();
                }

                @Override
                public ObjectNode submit(JsonNode request) throws Exception {
                    return self[0].submit(request);
                }

                @Override
                public ObjectNode inventory() {
                    return self[0].inventory();
                }
            });
            self[0] = new GatewayNode(home, config, app, abci, comet, rpc, submitter, control, devices);
            LOG.info("gateway {} ({}) started: ABCI on {}, CometBFT RPC on 127.0.0.1:{}, control on 127.0.0.1:{}",
                    config.id(), config.name(), abci.proxyAppAddress(), config.rpcPort(), control.port());
            return self[0];
        } catch (IOException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** A CometBFT left running by a gateway that was killed would hold the ports and the database lock. */
    private static void killStaleCometBft(Path home) throws IOException {
        Path pidFile = home.resolve("cometbft.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isPresent() && p.get().info().command().map(c -> c.endsWith("cometbft")).orElse(false)) {
                LOG.warn("killing CometBFT {} left over from a previous run", pid);
                p.get().destroyForcibly();
                p.get().onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (NumberFormatException | InterruptedException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.TimeoutException e) {
            LOG.warn("could not check for a stale CometBFT: {}", e.toString());
        }
        Files.deleteIfExists(pidFile);
    }

    public GatewayConfig config() {
        return config;
    }

    public LedgerApp ledger() {
        return app;
    }

    public Submitter submitter() {
        return submitter;
    }

    public CometProcess cometbft() {
        return comet;
    }

    /** The status {@code bin/chainkm status} prints for this gateway. */
    public ObjectNode status() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", config.id());
        o.put("name", config.name());
        o.put("up", true);
        app.readCommitted(s -> {
            o.put("height", s.height());
            o.put("app_hash", Hex.encode(s.appHash()).toUpperCase());
            o.put("members", s.members().size());
            o.put("sets", s.layout().setCount());
            return null;
        });
        o.put("attached_devices", devices.attachedDevices());
        devices.attachedNodes().forEach(o.putArray("attached_nodes")::add);
        o.put("clones_detected", devices.service().clonesDetected());
        o.put("replayed_rejoins_refused", devices.service().replaysRefused());
        o.put("key_seq", devices.seq());
        o.put("coap_port", devices.coapPort());
        o.put("mqtt_url", config.brokerUrl());
        ObjectNode c = o.putObject("cometbft");
        c.put("alive", comet.isAlive());
        c.put("restarts", comet.restarts());
        c.put("rpc_port", config.rpcPort());
        try {
            CometRpc.Status st = rpc.status();
            c.put("height", st.latestBlockHeight());
            c.put("catching_up", st.catchingUp());
            c.put("peers", rpc.netInfoPeers());
        } catch (RuntimeException e) {
            c.put("error", e.getMessage());
        }
        return o;
    }

    /** Identifiers of the link keys this gateway holds and of those each of its devices holds (never bytes). */
    public ObjectNode inventory() {
        ObjectNode o = JSON.createObjectNode();
        o.put("gateway", config.id());
        devices.keys().read(k -> {
            o.put("seq", k.seq());
            com.fasterxml.jackson.databind.node.ArrayNode held = o.putArray("keys");
            k.heldKeyIds().forEach(id -> held.add(id.toString()));
            com.fasterxml.jackson.databind.node.ArrayNode devs = o.putArray("devices");
            for (int set : k.layout().setIds()) {
                for (int node : k.layout().members(set)) {
                    if (k.isOwnNode(node)) {
                        ObjectNode d = devs.addObject().put("node", node).put("set", set);
                        com.fasterxml.jackson.databind.node.ArrayNode ids = d.putArray("keys");
                        k.deviceKeyIds(node).forEach(id -> ids.add(id.toString()));
                    }
                }
            }
            return null;
        });
        return o;
    }

    private ObjectNode submit(JsonNode req) throws Exception {
        Operation op = Operation.parse(req.path("op").asText("join"));
        SubmitMode mode = SubmitMode.parse(req.path("mode").asText("commit"));
        int nodeId = req.path("node_id").asInt(0);
        if (op != Operation.JOIN && nodeId <= 0) {
            throw new IllegalArgumentException(op.name().toLowerCase() + " needs node_id");
        }
        Integer setId = req.hasNonNull("set_id") ? req.get("set_id").asInt() : null;
        byte[] hash = req.hasNonNull("secret_code_hash") ? Hex.decode(req.get("secret_code_hash").asText()) : null;
        if (hash != null && hash.length != 32) {
            throw new IllegalArgumentException("secret_code_hash must be 32 bytes of hex");
        }
        Submitter.Submission s = submitter.submit(Submitter.Request.asGiven(op, nodeId, setId, hash), mode);
        ObjectNode out = toJson(s.first());
        out.put("mode", mode.name().toLowerCase());
        if (mode == SubmitMode.SYNC && "landed".equals(req.path("wait").asText())) {
            out.set("landed", toJson(s.landed().get(120, TimeUnit.SECONDS)));
        }
        return out;
    }

    /** How long the key manager may still take after the commit before an answer leaves T_k out. */
    private static final long KEY_WORK_WAIT_MS = 2_000;

    private ObjectNode toJson(SubmitResult r) throws InterruptedException {
        ObjectNode o = resultJson(r);
        OpTiming t = r.timing();
        if (r.committed() && t != null && !Double.isNaN(t.consensusMillis())) {
            // layer 1 runs once the block is committed: wait briefly for this gateway's key manager
            var keys = keyTimes.await(r.operation(), r.nodeId(), KEY_WORK_WAIT_MS);
            if (keys.isPresent()) {
                t = t.withKeys(keys.getAsDouble());
            }
        }
        if (t != null) {
            ObjectNode j = o.putObject("timing");
            putMillis(j, "t_k_ms", t.keysMillis());
            putMillis(j, "t_e_ms", t.txMillis());
            putMillis(j, "t_a_ms", t.consensusMillis());
            putMillis(j, "t_r_ms", t.totalMillis());
        }
        return o;
    }

    private static void putMillis(ObjectNode o, String name, double millis) {
        if (Double.isNaN(millis)) {
            o.putNull(name);
        } else {
            o.put(name, Math.round(millis * 1000) / 1000.0);
        }
    }

    private static ObjectNode resultJson(SubmitResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", r.status().toString());
        o.put("op", r.operation().name().toLowerCase());
        o.put("node_id", r.nodeId());
        o.put("set_id", r.setId());
        o.put("code", r.code());
        if (!r.log().isEmpty()) {
            o.put("log", r.log());
        }
        o.put("height", r.height());
        o.put("tx_hash", r.txHash());
        o.put("attempts", r.attempts());
        o.put("elapsed_ms", Math.round(r.elapsedMillis() * 1000) / 1000.0);
        return o;
    }

    public DeviceFacing devices() {
        return devices;
    }

    @Override
    public void close() {
        LOG.info("gateway {} stopping", config.id());
        control.close();
        devices.close();
        submitter.close();
        comet.close();
        abci.close();
        try {
            Files.deleteIfExists(home.resolve("cometbft.pid"));
        } catch (IOException ignored) {
            // nothing left to clean
        }
    }
}
