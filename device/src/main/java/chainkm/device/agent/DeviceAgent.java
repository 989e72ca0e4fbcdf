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
    public record Options(InetSocketAddress d2dBind, Duration grace, Duration gatewayTimeout) {
        public static Options defaults() {
            return new Options(new InetSocketAddress("127.0.0.1", 0), DEFAULT_GRACE, Duration.ofSeconds(20));
        }
    }

    private final Provisioning provisioning;
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
    private final java.util.List<AgentListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile AgentListener.State state = AgentListener.State.JOINING;

    private DeviceAgent(Provisioning provisioning, FileKeyStore store, Options options) {
        this.provisioning = provisioning;
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
        DeviceAgent agent = new DeviceAgent(provisioning, store, options);
        agent.addListener(events);
        try {
            boolean joined = agent.joinIfNeeded(stateDir);
            agent.attach();
            agent.d2d = D2DEndpoint.open(options.d2dBind(), agent, listener);
            LOG.info("device {} is node {} in set {} at seq {} via gateway {}; D2D on {}", provisioning.deviceName(),
                    agent.nodeId(), agent.setId(), agent.epoch(), agent.gatewayId(), agent.d2dAddress());
            if (joined) {
                agent.emit(AgentListener.Event.JOINED, "node " + agent.nodeId() + " in set " + agent.setId()
                        + " via gateway " + agent.gatewayId());
            }
            agent.setState(AgentListener.State.JOINED);
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

    private void attach() throws IOException {
        Provisioning.Gateway g = provisioning.gateway(keys.gatewayId());
        byte[] nk = keys.current(KeyId.nodeKey(keys.nodeId())).orElseThrow(
                () -> new IOException("the key store has no node key")).key();
        coap = new GatewayCoapClient(g.coap(), "node-" + keys.nodeId(), Credentials.dtlsPsk(nk), options.gatewayTimeout());
        java.util.Arrays.fill(nk, (byte) 0);
        catchUp();
        mqtt = RekeySubscriber.connect(g.mqttUrl(), provisioning.mqttUsername(), provisioning.mqttPassword().toCharArray(),
                "node-" + keys.nodeId(), (topic, message) -> onRekey(message));
        subscribe();
        catchUp(); // what was published between the first catch-up and the subscription
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
        attach();
        LOG.info("device {} woke: caught up from seq {} to {}", provisioning.deviceName(), before, keys.epoch());
        setState(AgentListener.State.JOINED);
        emit(AgentListener.Event.WOKE, "caught up from seq " + before + " to " + keys.epoch());
    }

    /**
     * Moves this device to gateway {@code gateway} (issue 4): rejoins there with its secret code,
     * keeps its link keys, and is served by that gateway from then on.
     */
    public void moveTo(int gateway) throws IOException {
        throw new UnsupportedOperationException("moveTo: not yet implemented (issue 4)");
    }

    /** The gateway this device is attached to now (its owner gateway until it rejoins elsewhere). */
    public int attachedGateway() {
        return keys.gatewayId();
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
            throw new IOException("the device is asleep");
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
