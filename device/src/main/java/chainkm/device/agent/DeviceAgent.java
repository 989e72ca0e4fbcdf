package chainkm.device.agent;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.keys.DeviceKeys;
import chainkm.device.mqtt.RekeySubscriber;
import chainkm.device.store.FileKeyStore;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.rekey.Credentials;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.Rejoin;
import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device agent: joins through a gateway over CoAP/DTLS (once; the keys then live in an
 * AES-CCM-encrypted store written atomically), follows its rekey topics over MQTT, fetches
 * by itself what it missed, and sends and receives D2D messages under the right pairwise key.
 */
public final class DeviceAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAgent.class);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

    /** Agent options: where D2D messages arrive (port 0: any free port), the grace period of replaced keys. */
    /**
     * Agent options: where D2D messages arrive (port 0: any free port), the grace period of
     * replaced keys, the longest any one gateway request may take, and how long its gateway's
     * MQTT connection may stay down before the agent checks whether the gateway is gone and, if
     * so, rejoins another one.
     */
    public record Options(InetSocketAddress d2dBind, Duration grace, Duration gatewayTimeout, Duration orphanAfter) {
        public static final Duration DEFAULT_ORPHAN_AFTER = Duration.ofSeconds(10);

        public Options(InetSocketAddress d2dBind, Duration grace, Duration gatewayTimeout) {
            this(d2dBind, grace, gatewayTimeout, DEFAULT_ORPHAN_AFTER);
        }

        public static Options defaults() {
            return new Options(new InetSocketAddress("127.0.0.1", 0), DEFAULT_GRACE, Duration.ofSeconds(20));
        }
    }

    private final Provisioning provisioning;
    private final Path stateDir;
    private final FileKeyStore store;
    private final DeviceKeys keys;
    private final Options options;
    private final Map<Integer, byte[]> anchors = new TreeMap<>();
    private final Map<Integer, Integer> peerSets = new ConcurrentHashMap<>();
    private volatile long peerSetsEpoch = -1;
    private GatewayCoapClient coap;
    private RekeySubscriber mqtt;
    private D2DEndpoint d2d;
    private volatile int subscribedSet;
    private volatile boolean closed;
    private volatile boolean sleeping;
    private volatile Attachment attachment; // null: attached to the gateway that owns its set
    private final Object rejoinLock = new Object();
    private volatile boolean rejoining;
    private volatile long mqttDownSince;
    private volatile long lastRejoinNanos;
    private Thread watchdog;
    private final java.util.List<AgentListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile AgentListener.State state = AgentListener.State.JOINING;

    private DeviceAgent(Provisioning provisioning, Path stateDir, FileKeyStore store, Options options) {
        this.provisioning = provisioning;
        this.stateDir = stateDir;
        this.store = store;
        this.options = options;
        provisioning.gateways().forEach(g -> anchors.put(g.id(), g.signingKey()));
        this.keys = new DeviceKeys(store, anchors, options.grace(), Clock.systemUTC());
    }

    /** Opens the device's state in {@code stateDir}, joins if it never did, and starts listening. */
    public static DeviceAgent start(Provisioning provisioning, Path stateDir, Options options, D2DEndpoint.Listener listener)
            throws IOException {
        return start(provisioning, stateDir, options, listener, new AgentListener() {});
    }

    /** As above, with {@code events} told of every state change and protocol event from the start on. */
    public static DeviceAgent start(Provisioning provisioning, Path stateDir, Options options, D2DEndpoint.Listener listener,
                                    AgentListener events) throws IOException {
        Files.createDirectories(stateDir);
        FileKeyStore store = FileKeyStore.open(stateDir.resolve("keys.store"),
                Credentials.storageKey(provisioning.bootstrapPsk()));
        DeviceAgent agent = new DeviceAgent(provisioning, stateDir, store, options);
        agent.addListener(events);
        try {
            boolean joined = agent.joinIfNeeded(stateDir);
            agent.setAttachment(Attachment.load(stateDir, agent.storageKey()).orElse(null));
            try {
                agent.attach();
            } catch (IOException e) {
                LOG.warn("gateway {} does not answer ({}): rejoining another one", agent.attachedGateway(), e.getMessage());
                agent.detach();
                agent.rejoinAnywhere();
            }
            agent.d2d = D2DEndpoint.open(options.d2dBind(), agent, listener);
            LOG.info("device {} is node {} in set {} at seq {} via gateway {}; D2D on {}", provisioning.deviceName(),
                    agent.nodeId(), agent.setId(), agent.epoch(), agent.gatewayId(), agent.d2dAddress());
            if (joined) {
                agent.emit(AgentListener.Event.JOINED, "node " + agent.nodeId() + " in set " + agent.setId()
                        + " via gateway " + agent.gatewayId());
            }
            agent.setState(AgentListener.State.JOINED);
            agent.startWatchdog();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.setState(AgentListener.State.ERROR);
            agent.close();
            throw e;
        }
    }

    /** Joins unless the store already holds this device's keys; true if it joined now. */
    private boolean joinIfNeeded(Path stateDir) throws IOException {
        if (keys.joined()) {
            return false;
        }
        byte[] commitment = chainkm.protocol.ledger.RejoinChain.anchor(RejoinSeed.loadOrCreate(stateDir));
        IOException last = null;
        for (Provisioning.Gateway g : provisioning.gateways()) {
            try (GatewayCoapClient boot = new GatewayCoapClient(g.coap(), provisioning.bootstrapIdentity(),
                    provisioning.bootstrapPsk(), options.gatewayTimeout())) {
                JoinBundle bundle = JoinBundle.decode(boot.join(commitment));
                if (bundle.gatewayId() != g.id()) {
                    throw new IOException("gateway " + g.id() + " answered as gateway " + bundle.gatewayId());
                }
                if (!java.util.Arrays.equals(bundle.commitment(), commitment)) {
                    throw new IOException("gateway " + g.id() + " joined this device with another commitment");
                }
                keys.install(bundle);
                return true;
            } catch (MessageFormatException e) {
                last = new IOException("gateway " + g.id() + " sent a malformed join bundle: " + e.getMessage());
            } catch (IOException e) {
                LOG.warn("join through gateway {} failed: {}", g.id(), e.getMessage());
                last = e;
            }
        }
        throw new IOException("could not join through any gateway", last);
    }

    private byte[] storageKey() {
        return Credentials.storageKey(provisioning.bootstrapPsk());
    }

    /** Connects to the gateway it is attached to: CoAP/DTLS under its KEK with that gateway, catch-up, MQTT. */
    private void attach() throws IOException {
        Provisioning.Gateway g = provisioning.gateway(attachedGateway());
        GatewayCoapClient c = attachedClient(options.gatewayTimeout());
        synchronized (this) {
            coap = c;
        }
        catchUp();
        RekeySubscriber m = RekeySubscriber.connect(g.mqttUrl(), provisioning.mqttUsername(),
                provisioning.mqttPassword().toCharArray(), "node-" + keys.nodeId(), (topic, message) -> onRekey(message));
        synchronized (this) {
            mqtt = m;
        }
        mqttDownSince = 0;
        subscribe();
        catchUp(); // what was published between the first catch-up and the subscription
    }

    private void setAttachment(Attachment a) {
        attachment = a;
        if (a != null) {
            keys.attachment(a.gatewayId(), a.key());
        }
    }

    /** Drops the connections to its gateway (keys stay). */
    private synchronized void detach() {
        if (mqtt != null) {
            mqtt.close();
            mqtt = null;
        }
        if (coap != null) {
            coap.close();
            coap = null;
        }
    }

    /**
     * Rejoins gateway {@code gatewayId} (kandi2020 III.B.3, with a hash-chain proof instead of
     * the hash of the secret code): reveals the next link of its chain over DTLS with its
     * bootstrap identity, gets that gateway's attachment key, and attaches there. No key of any
     * device changes; its link keys stay valid.
     */
    public void rejoin(int gatewayId) throws IOException {
        synchronized (rejoinLock) {
            rejoining = true;
            AgentListener.State before = state;
            setState(AgentListener.State.REJOINING);
            try {
                Provisioning.Gateway g = provisioning.gateway(gatewayId);
                Rejoin.Request request = new Rejoin.Request(keys.nodeId(), keys.epoch(), RejoinLinks.next(stateDir));
                Rejoin.Answer answer;
                try (GatewayCoapClient boot = new GatewayCoapClient(g.coap(), provisioning.bootstrapIdentity(),
                        provisioning.bootstrapPsk(), options.gatewayTimeout())) {
                    long t0 = System.nanoTime();
                    answer = Rejoin.Answer.decode(boot.rejoin(request.encode()));
                    lastRejoinNanos = System.nanoTime() - t0;
                } catch (MessageFormatException e) {
                    throw new IOException("gateway " + gatewayId + " sent a malformed rejoin answer: " + e.getMessage());
                }
                if (answer.gatewayId() != gatewayId || answer.nodeId() != keys.nodeId()) {
                    throw new IOException("gateway " + gatewayId + " answered the rejoin as gateway " + answer.gatewayId()
                            + " for node " + answer.nodeId());
                }
                Attachment a = new Attachment(gatewayId, answer.attachmentKey());
                a.save(stateDir, storageKey());
                detach();
                setAttachment(a);
                attach();
                setState(sleeping ? AgentListener.State.SLEEPING : AgentListener.State.JOINED);
                LOG.info("device {} (node {}) rejoined through gateway {} at seq {}", provisioning.deviceName(),
                        keys.nodeId(), gatewayId, keys.epoch());
                emit(AgentListener.Event.REJOINED, "node " + keys.nodeId() + " attached to gateway " + gatewayId);
            } catch (IOException | RuntimeException e) {
                setState(before == AgentListener.State.REJOINING ? AgentListener.State.ERROR : before);
                throw e;
            } finally {
                rejoining = false;
            }
        }
    }

    /**
     * Its gateway is gone: tries the other gateways of its bundle, starting after the lost one
     * in id order (so orphans of one gateway meet at its successor, the gateway that adopts its
     * sets if it is removed), until one takes it.
     */
    private void rejoinAnywhere() throws IOException {
        int lost = attachedGateway();
        emit(AgentListener.Event.GATEWAY_LOST, "gateway " + lost + " does not answer");
        // in id order, as the ledger picks the gateway that adopts a removed one's sets
        List<Provisioning.Gateway> all = provisioning.gateways().stream()
                .sorted(java.util.Comparator.comparingInt(Provisioning.Gateway::id)).toList();
        int start = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id() == lost) {
                start = i + 1;
            }
        }
        IOException last = null;
        for (int i = 0; i < all.size(); i++) {
            Provisioning.Gateway g = all.get((start + i) % all.size());
            if (g.id() == lost) {
                continue;
            }
            try {
                rejoin(g.id());
                return;
            } catch (IOException e) {
                LOG.warn("rejoin through gateway {} failed: {}", g.id(), e.getMessage());
                last = e;
            }
        }
        setState(AgentListener.State.ERROR);
        throw new IOException("no gateway took the rejoin", last);
    }

    /**
     * Null if the gateway it is attached to answers a CoAP request within orphanAfter, else why
     * not. A probe of its own, with that short timeout: the agent's client may wait long for a join.
     */
    private String gatewayGone() {
        try (GatewayCoapClient probe = attachedClient(options.orphanAfter())) {
            probe.setOf(keys.nodeId());
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /**
     * A CoAP/DTLS client for the gateway it is attached to, as {@code node-ID} under its KEK with
     * that gateway: the attachment key after a rejoin, else the node key its owner gave it.
     */
    private GatewayCoapClient attachedClient(Duration timeout) throws IOException {
        Attachment a = attachment;
        byte[] nk = a != null ? a.key() : keys.current(KeyId.nodeKey(keys.nodeId())).orElseThrow(
                () -> new IOException("the key store has no node key")).key();
        try {
            return new GatewayCoapClient(provisioning.gateway(attachedGateway()).coap(), "node-" + keys.nodeId(),
                    Credentials.dtlsPsk(nk), timeout);
        } finally {
            java.util.Arrays.fill(nk, (byte) 0);
        }
    }

    /** Watches its gateway: MQTT down for longer than orphanAfter and no CoAP answer means it is gone. */
    private void startWatchdog() {
        watchdog = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(500);
                    checkGateway();
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("device {}: {}", provisioning.deviceName(), e.getMessage());
                }
            }
        }, "gateway-watch-" + provisioning.deviceName());
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void checkGateway() throws IOException {
        if (closed || sleeping || rejoining) {
            mqttDownSince = 0;
            return;
        }
        RekeySubscriber m = mqtt;
        if (m != null && m.isConnected()) {
            mqttDownSince = 0;
            return;
        }
        long now = System.nanoTime();
        if (mqttDownSince == 0) {
            mqttDownSince = now;
            return;
        }
        if (now - mqttDownSince < options.orphanAfter().toNanos()) {
            return;
        }
        String why = gatewayGone();
        if (why == null) {
            mqttDownSince = now; // the gateway answers: only its broker is down, wait on
            return;
        }
        LOG.warn("device {}: gateway {} is gone (MQTT down for {} s, CoAP: {})", provisioning.deviceName(),
                attachedGateway(), options.orphanAfter().toSeconds(), why);
        if (closed || sleeping) {
            return;
        }
        detach();
        rejoinAnywhere();
    }

    private synchronized void subscribe() {
        subscribedSet = keys.setId();
        mqtt.setTopics(List.of(Topics.node(keys.nodeId()), Topics.set(subscribedSet)));
    }

    private synchronized void onRekey(byte[] message) {
        if (closed || sleeping) {
            return; // a message delivered while the agent shuts down
        }
        DeviceKeys.Result r = keys.apply(message);
        if (r.outcome() == DeviceKeys.Outcome.APPLIED) {
            emit(AgentListener.Event.REKEYED, "seq " + keys.epoch());
        }
        if (r.outcome() == DeviceKeys.Outcome.GAP) {
            LOG.info("missed rekey messages ({}): fetching them from the gateway", r.reason());
            try {
                catchUp();
            } catch (IOException e) {
                LOG.warn("catch-up failed, will retry with the next message: {}", e.getMessage());
            }
        }
        if (keys.setId() != subscribedSet) {
            subscribe();
        }
    }

    /**
     * Sleeps: drops the MQTT and CoAP connections (the keys stay in the store). Rekeying goes on
     * without the device; {@link #wake()} catches up.
     */
    public synchronized void sleep() {
        if (sleeping) {
            return;
        }
        sleeping = true;
        if (mqtt != null) {
            mqtt.close();
            mqtt = null;
        }
        if (coap != null) {
            coap.close();
            coap = null;
        }
        LOG.info("device {} sleeps at seq {}", provisioning.deviceName(), keys.epoch());
        setState(AgentListener.State.SLEEPING);
        emit(AgentListener.Event.SLEPT, "at seq " + keys.epoch());
    }

    /** Wakes: reconnects, fetches everything missed since its last epoch, applies it in order, resubscribes. */
    public void wake() throws IOException {
        synchronized (this) {
            if (!sleeping) {
                return;
            }
            sleeping = false;
        }
        long before = keys.epoch();
        try {
            String gone = gatewayGone();
            if (gone != null) {
                throw new IOException(gone);
            }
            attach();
        } catch (IOException e) {
            LOG.warn("gateway {} does not answer after sleep ({}): rejoining another one", attachedGateway(), e.getMessage());
            detach();
            rejoinAnywhere();
        }
        LOG.info("device {} woke: caught up from seq {} to {}", provisioning.deviceName(), before, keys.epoch());
        setState(AgentListener.State.JOINED);
        emit(AgentListener.Event.WOKE, "caught up from seq " + before + " to " + keys.epoch());
    }

    /**
     * Moves this device to gateway {@code gateway} (issue 4): rejoins there with its secret code,
     * keeps its link keys, and is served by that gateway from then on.
     */
    public void moveTo(int gateway) throws IOException {
        if (gateway == attachedGateway()) {
            return;
        }
        provisioning.gateway(gateway); // fails for a gateway not in its bundle
        int from = attachedGateway();
        try {
            catchUp(); // leave the old gateway with everything it has for us
        } catch (IOException e) {
            LOG.info("no final catch-up from gateway {} before moving: {}", from, e.getMessage());
        }
        rejoin(gateway);
        emit(AgentListener.Event.MOVED, "from gateway " + from + " to gateway " + gateway);
    }

    /** How long the last {@code POST /rejoin} took, DTLS handshake included (for {@code make bench}). */
    public java.time.Duration lastRejoinTime() {
        return java.time.Duration.ofNanos(lastRejoinNanos);
    }

    /** The gateway this device is attached to now (its owner gateway until it rejoins elsewhere). */
    public int attachedGateway() {
        Attachment a = attachment;
        return a != null ? a.gatewayId() : keys.gatewayId();
    }

    /**
     * Leaves the network (issue 6): asks its gateway to submit the LEAVE, waits until it is
     * committed, then wipes its keys; the agent is closed afterwards.
     */
    public void leave() throws IOException {
        GatewayCoapClient c;
        synchronized (this) {
            if (closed) {
                throw new IOException("the agent is closed");
            }
            c = coap;
        }
        if (c == null) {
            throw new IOException("the device is asleep: wake it before it leaves");
        }
        int node = keys.nodeId();
        long height = c.leave(node);
        Path stateDir = store.file().getParent();
        close();
        StateWipe.wipe(stateDir);
        LOG.info("device {} left the network (node {}, committed at height {}); its keys are wiped",
                provisioning.deviceName(), node, height);
        setState(AgentListener.State.LEFT);
        emit(AgentListener.Event.LEFT, "node " + node + " at height " + height);
    }

    public boolean sleeping() {
        return sleeping;
    }

    /** Fetches and applies, in order, every rekey message since this device's epoch. */
    public synchronized int catchUp() throws IOException {
        if (coap == null) {
            throw new IOException(sleeping ? "the device is asleep" : "the device is not attached to a gateway right now");
        }
        int applied = 0;
        for (byte[] m : coap.catchUp(keys.epoch())) {
            DeviceKeys.Result r = keys.apply(m);
            if (r.outcome() == DeviceKeys.Outcome.APPLIED) {
                applied++;
            } else if (r.outcome() == DeviceKeys.Outcome.REFUSED) {
                throw new IOException("catch-up message refused: " + r.reason());
            }
        }
        if (mqtt != null && keys.setId() != subscribedSet) {
            subscribe();
        }
        if (applied > 0) {
            emit(AgentListener.Event.CAUGHT_UP, applied + " messages, now at seq " + keys.epoch());
        }
        return applied;
    }

    /** The set of a peer, from this device's gateway (cached until this device's keys change). */
    int peerSet(int peerNode) throws IOException {
        long epoch = keys.epoch();
        if (epoch != peerSetsEpoch) {
            peerSets.clear();
            peerSetsEpoch = epoch;
        }
        Integer cached = peerSets.get(peerNode);
        if (cached != null) {
            return cached;
        }
        GatewayCoapClient c = coap;
        if (c == null) {
            throw new IOException("the device is asleep");
        }
        OptionalInt set = c.setOf(peerNode);
        if (set.isEmpty()) {
            throw new IOException("node " + peerNode + " is not a member of the network");
        }
        peerSets.put(peerNode, set.getAsInt());
        return set.getAsInt();
    }

    /** Sends {@code payload} to device {@code peerNode} listening at {@code address}. */
    public void send(int peerNode, InetSocketAddress address, byte[] payload) throws IOException {
        d2d.send(peerNode, peerSet(peerNode), address, payload);
    }

    /** Adds a listener and tells it the current state at once. */
    public void addListener(AgentListener l) {
        listeners.add(l);
        l.state(this, state);
    }

    public AgentListener.State state() {
        return state;
    }

    void setState(AgentListener.State s) {
        if (state != s) {
            state = s;
            for (AgentListener l : listeners) {
                l.state(this, s);
            }
        }
    }

    void emit(AgentListener.Event e, String detail) {
        for (AgentListener l : listeners) {
            l.event(this, e, detail);
        }
    }

    DeviceKeys keys() {
        return keys;
    }

    FileKeyStore store() {
        return store;
    }

    public int nodeId() {
        return keys.nodeId();
    }

    public int setId() {
        return keys.setId();
    }

    public int gatewayId() {
        return keys.gatewayId();
    }

    public long epoch() {
        return keys.epoch();
    }

    public String name() {
        return provisioning.deviceName();
    }

    public InetSocketAddress d2dAddress() {
        return d2d.address();
    }

    /** Identifiers of the keys this device holds (never their bytes). */
    public java.util.SortedSet<KeyId> keyIds() {
        return keys.keyIds();
    }

    /** The current value of one of its keys (for tests that play the attacker with a captured device's store). */
    public java.util.Optional<KeyMaterial> keyForTests(KeyId id) {
        return keys.current(id);
    }

    public long refusedD2D() {
        return d2d == null ? 0 : d2d.refused();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (watchdog != null) {
            watchdog.interrupt();
        }
        if (d2d != null) {
            d2d.close();
        }
        if (mqtt != null) {
            mqtt.close();
        }
        if (coap != null) {
            coap.close();
        }
        store.close();
    }
}
