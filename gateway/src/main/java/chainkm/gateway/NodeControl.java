package chainkm.gateway;

import chainkm.gateway.cometbft.CometProcess;
import chainkm.gateway.cometbft.CometRpc;
import chainkm.gateway.control.ControlServer;
import chainkm.gateway.ledger.LedgerApp;
import chainkm.gateway.submit.KeyWorkTimes;
import chainkm.gateway.submit.OpTiming;
import chainkm.gateway.submit.SubmitMode;
import chainkm.gateway.submit.SubmitResult;
import chainkm.gateway.submit.Submitter;
import chainkm.gateway.submit.SyntheticDevices;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.identity.DeviceEnrollment;
import chainkm.protocol.ledger.Cosignatures;
import chainkm.protocol.ledger.Eviction;
import chainkm.protocol.ledger.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a gateway answers on its control API ({@code bin/chainkm status}, {@code submit},
 * {@code inventory}): its status, the identifiers of the keys it accounts for, and operations
 * submitted by hand, each as JSON.
 */
final class NodeControl implements ControlServer.ControlHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the key manager may still take after the commit before an answer leaves T_k out. */
    private static final long KEY_WORK_WAIT_MS = 2_000;

    private final GatewayConfig config;
    private final LedgerApp app;
    private final CometProcess comet;
    private final CometRpc rpc;
    private final Submitter submitter;
    private final SyntheticDevices synthetic;
    private final DeviceFacing devices;
    private final KeyWorkTimes keyTimes = new KeyWorkTimes();

    NodeControl(GatewayConfig config, LedgerApp app, CometProcess comet, CometRpc rpc, Submitter submitter,
                DeviceFacing devices) {
        this.config = config;
        this.app = app;
        this.comet = comet;
        this.rpc = rpc;
        this.submitter = submitter;
        this.synthetic = new SyntheticDevices(submitter);
        this.devices = devices;
        devices.keys().addAppliedListener((e, nanos) -> keyTimes.record(e.operation(), e.nodeId(), nanos));
    }

    /** The status {@code bin/chainkm status} prints for this gateway. */
    @Override
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
        o.put("authz_port", devices.authzPort());
        o.put("proxy_port", devices.proxyPort());
        o.put("mqtt_url", config.brokerUrl());
        ObjectNode c = o.putObject("cometbft");
        c.put("alive", comet.isAlive());
        c.put("restarts", comet.restarts());
        comet.consensusHalted().ifPresent(why -> c.put("consensus_halted", why));
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
    @Override
    public ObjectNode inventory() {
        ObjectNode o = JSON.createObjectNode();
        o.put("gateway", config.id());
        devices.keys().read(k -> {
            o.put("seq", k.seq());
            ArrayNode held = o.putArray("keys");
            k.heldKeyIds().forEach(id -> held.add(id.toString()));
            ArrayNode devs = o.putArray("devices");
            for (int set : k.layout().setIds()) {
                for (int node : k.layout().members(set)) {
                    if (k.isOwnNode(node)) {
                        ObjectNode d = devs.addObject().put("node", node).put("set", set);
                        ArrayNode ids = d.putArray("keys");
                        k.deviceKeyIds(node).forEach(id -> ids.add(id.toString()));
                    }
                }
            }
            return null;
        });
        return o;
    }

    /**
     * A join of a synthetic device ({@link SyntheticDevices}), the leave of one this gateway made,
     * an evict (signed by this gateway, which the ledger accepts if it owns the member's set, or
     * carrying other gateways' {@code cosignatures} over {@code nonce}), or the enrollment of a
     * device's {@code name} with the public half of its {@code enrollment_key} (hex), as
     * {@code bin/chainkm provision} asks for.
     */
    @Override
    public ObjectNode submit(JsonNode req) throws Exception {
        String opName = req.path("op").asText("join");
        if (!List.of("join", "leave", "evict", "enroll").contains(opName)) {
            throw new IllegalArgumentException("op must be join, leave, evict or enroll, not '" + opName + "'");
        }
        Operation op = Operation.parse(opName);
        SubmitMode mode = SubmitMode.parse(req.path("mode").asText("commit"));
        if (op == Operation.ENROLL) {
            return enroll(req, mode);
        }
        int nodeId = req.path("node_id").asInt(0);
        if (op != Operation.JOIN && nodeId <= 0) {
            throw new IllegalArgumentException(opName + " needs node_id");
        }
        Integer setId = req.hasNonNull("set_id") ? req.get("set_id").asInt() : null;
        byte[] hash = req.hasNonNull("secret_code_hash") ? Hex.decode(req.get("secret_code_hash").asText()) : null;
        if (hash != null && hash.length != 32) {
            throw new IllegalArgumentException("secret_code_hash must be 32 bytes of hex");
        }
        Submitter.Submission s;
        if (op == Operation.JOIN) {
            s = synthetic.join(mode, nodeId, setId, hash);
        } else {
            Submitter.Request request = op == Operation.LEAVE ? synthetic.leave(nodeId) : evict(req, nodeId);
            s = submitter.submit(request.withOverrides(setId, hash), mode);
            s.landed().thenAccept(r -> {
                if (r.committed()) {
                    synthetic.forget(nodeId);
                }
            });
        }
        ObjectNode out = toJson(s.first());
        out.put("mode", mode.name().toLowerCase());
        if (mode == SubmitMode.SYNC && "landed".equals(req.path("wait").asText())) {
            out.set("landed", toJson(s.landed().get(120, TimeUnit.SECONDS)));
        }
        return out;
    }

    private ObjectNode enroll(JsonNode req, SubmitMode mode) throws Exception {
        if (!req.hasNonNull("name") || !req.hasNonNull("enrollment_key")) {
            throw new IllegalArgumentException("enroll needs name and enrollment_key (hex)");
        }
        DeviceEnrollment enrollment = new DeviceEnrollment(req.get("name").asText(),
                Hex.decode(req.get("enrollment_key").asText()));
        Submitter.Submission s = submitter.submit(Submitter.Request.enroll(enrollment), mode);
        ObjectNode out = toJson(s.first()).put("name", enrollment.name());
        out.put("mode", mode.name().toLowerCase());
        if (mode == SubmitMode.SYNC && "landed".equals(req.path("wait").asText())) {
            out.set("landed", toJson(s.landed().get(120, TimeUnit.SECONDS)));
        }
        return out;
    }

    /**
     * An evict by this gateway, or with {@code "cosignatures": [{"gateway": G, "signature": "hex"}, ...]}
     * over {@code "nonce": "hex"} (16 bytes, see {@link Eviction#message}).
     */
    private static Submitter.Request evict(JsonNode req, int nodeId) {
        if (!req.has("cosignatures")) {
            return Submitter.Request.evict(nodeId);
        }
        if (!req.hasNonNull("nonce")) {
            throw new IllegalArgumentException("cosignatures need the nonce they signed");
        }
        List<Cosignatures.Cosignature> cosigs = new ArrayList<>();
        for (JsonNode c : req.get("cosignatures")) {
            if (!c.path("gateway").canConvertToInt() || !c.hasNonNull("signature")) {
                throw new IllegalArgumentException("a co-signature is {\"gateway\": id, \"signature\": \"hex\"}");
            }
            cosigs.add(new Cosignatures.Cosignature(c.get("gateway").asInt(), Hex.decode(c.get("signature").asText())));
        }
        return Submitter.Request.evictCosigned(nodeId, Hex.decode(req.get("nonce").asText()), cosigs);
    }

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
}
