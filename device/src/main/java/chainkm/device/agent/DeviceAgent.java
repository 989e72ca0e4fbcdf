package chainkm.device.agent;

import chainkm.device.groups.GroupKeys;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.keys.DeviceKeys;
import chainkm.device.objects.ObjectPublisher;
import chainkm.device.objects.ReadingSource;
import chainkm.device.objects.ResourceServer;
import chainkm.device.objects.SessionKeySource;
import chainkm.device.store.FileKeyStore;
import chainkm.protocol.cose.BlockNonceSource;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.LeaveRequest;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device agent: at first boot makes its own identity key and activates it on the ledger
 * with its bundle's enrollment key ({@link Activation}); joins through a gateway over CoAP/DTLS
 * authenticated with that identity key (once; the keys then live in an
 * AES-CCM-encrypted store written atomically), follows its rekey topics over MQTT, fetches
 * by itself what it missed, and sends and receives D2D messages under the right pairwise key.
 *
 * <p>A facade over the steps: {@link IdentityKey}, {@link StoreKey}, {@link Activation}, {@link Join}, the {@link GatewayLink} (attach, rejoin, failover,
 * sleep), the {@link RekeyFollower} (apply, catch up) and the {@link D2DEndpoint}.
 */
public final class DeviceAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceAgent.class);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    /** The identity key's file in the state directory (32-byte Ed25519 private key, 0600). */
    public static final String IDENTITY_KEY_FILE = IdentityKey.FILE;

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
    private final Ed25519.KeyPair identity;
    private final FileKeyStore store;
    private final DeviceKeys keys;
    private final AgentEvents events = new AgentEvents(this);
    private final GatewayLink link;
    private final GroupKeys groups;
    private final Map<Integer, Integer> peerSets = new ConcurrentHashMap<>();
    private volatile long peerSetsSeq = -1;
    private D2DEndpoint d2d;
    private ResourceServer resources;

    private DeviceAgent(Provisioning provisioning, Path stateDir, Ed25519.KeyPair identity, byte[] storeKey,
                        FileKeyStore store, Options options) throws IOException {
        this.provisioning = provisioning;
        this.identity = identity;
        this.store = store;
        Map<Integer, byte[]> anchors = new TreeMap<>();
        provisioning.gateways().forEach(g -> anchors.put(g.id(), g.signingKey()));
        this.keys = new DeviceKeys(store, anchors, options.grace(), Clock.systemUTC());
        this.groups = new GroupKeys(stateDir, provisioning.deviceName(), anchors);
        this.link = new GatewayLink(provisioning, stateDir, identity, storeKey, keys, options,
                new RekeyFollower(keys, events), events, groups);
    }

    /**
     * Opens the device's state in {@code stateDir} (making its identity key and key store key at
     * first boot), activates its identity and joins if it never did, and starts listening.
     */
    public static DeviceAgent start(Provisioning provisioning, Path stateDir, Options options, D2DEndpoint.Listener listener)
            throws IOException {
        return start(provisioning, stateDir, options, listener, new AgentListener() {});
    }

    /** As above, with {@code events} told of every state change and protocol event from the start on. */
    public static DeviceAgent start(Provisioning provisioning, Path stateDir, Options options, D2DEndpoint.Listener listener,
                                    AgentListener events) throws IOException {
        return start(provisioning, stateDir, options, listener, events, StoreKeySource.plainFile());
    }

    /** As above, with the key store's key from {@code storeKeys} (a sealed one on boards that can seal). */
    public static DeviceAgent start(Provisioning provisioning, Path stateDir, Options options, D2DEndpoint.Listener listener,
                                    AgentListener events, StoreKeySource storeKeys) throws IOException {
        SecretFiles.privateDirectory(stateDir);
        boolean identityIsNew = !IdentityKey.exists(stateDir);
        Ed25519.KeyPair identity = IdentityKey.loadOrCreate(stateDir); // on disk before it is used anywhere
        byte[] storeKey = storeKeys.loadOrCreate(stateDir);
        FileKeyStore store;
        try {
            store = FileKeyStore.open(stateDir.resolve("keys.store"), storeKey);
        } catch (IOException | RuntimeException e) {
            Arrays.fill(storeKey, (byte) 0);
            throw e;
        }
        DeviceAgent agent = new DeviceAgent(provisioning, stateDir, identity, storeKey, store, options);
        agent.addListener(events);
        try {
            if (!agent.keys.joined()) {
                Activation.ifNeeded(provisioning, stateDir, identity, identityIsNew, options.gatewayTimeout());
            }
            boolean joined = Join.ifNeeded(provisioning, stateDir, agent.keys, identity, options.gatewayTimeout());
            agent.link.open();
            agent.d2d = D2DEndpoint.open(options.d2dBind(), agent, stateDir, listener);
            LOG.info("device {} is node {} in set {} at seq {} via gateway {}; D2D on {}", provisioning.deviceName(),
                    agent.nodeId(), agent.setId(), agent.seq(), agent.gatewayId(), agent.d2dAddress());
            if (joined) {
                agent.emit(AgentListener.Event.JOINED, "node " + agent.nodeId() + " in set " + agent.setId()
                        + " via gateway " + agent.gatewayId());
            }
            agent.events.setState(AgentListener.State.JOINED);
            agent.link.startWatchdog();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.events.setState(AgentListener.State.ERROR);
            agent.close();
            throw e;
        }
    }

    /**
     * Rejoins gateway {@code gatewayId} with the next link of its hash chain and attaches there;
     * no key of any device changes (see {@link GatewayLink#rejoin}).
     */
    public void rejoin(int gatewayId) throws IOException {
        link.rejoin(gatewayId);
    }

    /**
     * Sleeps: drops the MQTT and CoAP connections (the keys stay in the store). Rekeying goes on
     * without the device; {@link #wake()} catches up.
     */
    public void sleep() {
        link.sleep();
    }

    /** Wakes: reconnects, fetches everything missed since its last seq, applies it in order, resubscribes. */
    public void wake() throws IOException {
        link.wake();
    }

    /**
     * Moves this device to gateway {@code gateway} (issue 4): rejoins there with its secret code,
     * keeps its link keys, and is served by that gateway from then on.
     */
    public void moveTo(int gateway) throws IOException {
        link.moveTo(gateway);
    }

    /** How long the last {@code POST /rejoin} took, DTLS handshake included (for {@code make bench}). */
    public Duration lastRejoinTime() {
        return link.lastRejoinTime();
    }

    /** The gateway this device is attached to now (its owner gateway until it rejoins elsewhere). */
    public int attachedGateway() {
        return link.attachedGateway();
    }

    /**
     * Leaves the network (issue 6): asks its gateway to submit the LEAVE, waits until it is
     * committed, then wipes its keys; the agent is closed afterwards.
     */
    public void leave() throws IOException {
        GatewayCoapClient c = link.coapUnlessClosed();
        if (c == null) {
            throw new IOException("the device is asleep: wake it before it leaves");
        }
        int node = keys.nodeId();
        long height = c.leave(LeaveRequest.sign(provisioning.deviceName(), node, identity));
        Path stateDir = store.file().getParent();
        close();
        StateWipe.wipe(stateDir);
        LOG.info("device {} left the network (node {}, committed at height {}); its keys are wiped",
                provisioning.deviceName(), node, height);
        events.setState(AgentListener.State.LEFT);
        emit(AgentListener.Event.LEFT, "node " + node + " at height " + height);
    }

    public boolean sleeping() {
        return link.sleeping();
    }

    /** Fetches and applies, in order, every rekey message since this device's seq. */
    public int catchUp() throws IOException {
        return link.catchUp();
    }

    /** The set of a peer, from this device's gateway (cached until this device's keys change). */
    int peerSet(int peerNode) throws IOException {
        long seq = keys.seq();
        if (seq != peerSetsSeq) {
            peerSets.clear();
            peerSetsSeq = seq;
        }
        Integer cached = peerSets.get(peerNode);
        if (cached != null) {
            return cached;
        }
        GatewayCoapClient c = link.coap();
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

    /**
     * The identity key of member {@code node}, from this device's own gateway over its DTLS
     * session (the committed ledger's answer); empty when the gateway knows no member with an
     * active identity by that id.
     */
    Optional<byte[]> memberIdentityKey(int node) throws IOException {
        GatewayCoapClient c = link.coap();
        if (c == null) {
            throw new IOException("the device is asleep");
        }
        return c.identityOf(node).map(i -> i.key());
    }

    /** This device's identity key pair (signs its D2D messages under pairwise set keys). */
    Ed25519.KeyPair identity() {
        return identity;
    }

    /** Sends {@code payload} to device {@code peerNode} listening at {@code address}. */
    public void send(int peerNode, InetSocketAddress address, byte[] payload) throws IOException {
        d2d.send(peerNode, peerSet(peerNode), address, payload);
    }

    /** The key store's durable counter of protected objects' sequence numbers (their nonces). */
    public static final String OBJECT_SEQUENCE_COUNTER = "object-seq";
    /** Sequence numbers reserved per durable write: at most one write per this many objects. */
    static final int OBJECT_SEQUENCE_BLOCK = 256;

    /**
     * Starts publishing this device's protected resources (issue 14): each reading is sealed under
     * the session key {@code keys} gives for its path, with a sequence number from the key store's
     * durable counter {@value #OBJECT_SEQUENCE_COUNTER} (never reused, also across reboots), signed
     * with the identity key, pushed to its gateway's proxy over its DTLS session and, if
     * {@code options} say so, served over plain CoAP. Once per agent.
     */
    public synchronized ResourceServer publishObjects(ResourceServer.Options options, SessionKeySource keys,
                                                      ReadingSource readings) {
        if (resources != null) {
            throw new IllegalStateException("the device already publishes its objects");
        }
        BlockNonceSource nonces = new BlockNonceSource(n -> store.nextNonceCounter(OBJECT_SEQUENCE_COUNTER, n),
                OBJECT_SEQUENCE_BLOCK);
        ObjectPublisher publisher = new ObjectPublisher(provisioning.deviceName(), options.paths(), identity, nonces,
                keys, readings, (path, bytes) -> {
                    GatewayCoapClient c = link.coap();
                    if (c == null) {
                        throw new IOException("the device is asleep");
                    }
                    c.putObject(path, bytes);
                });
        resources = ResourceServer.start(publisher, options);
        return resources;
    }

    /** Adds a listener and tells it the current state at once. */
    public void addListener(AgentListener l) {
        events.add(l);
    }

    public AgentListener.State state() {
        return events.state();
    }

    void emit(AgentListener.Event e, String detail) {
        events.emit(e, detail);
    }

    DeviceKeys keys() {
        return keys;
    }

    FileKeyStore store() {
        return store;
    }

    /**
     * Makes this device a member of the group of its own resource {@code path} (G = its name +
     * path): asks its home gateway ({@code GET /group?path=P}) for its personal secret, then
     * follows the group's session broadcasts; {@link #groups()} gives the key to encrypt under.
     *
     * @return the session from which it holds keys
     */
    public long joinGroup(String path) throws IOException {
        chainkm.protocol.groupkey.DeviceGroupGrant grant = link.groupGrant(path);
        groups.join(path, grant);
        return grant.session();
    }

    /**
     * The session keys of this device's own groups, for {@link #publishObjects}: the current
     * (j, K_j) of a resource's group; while the device is not yet a member of it, it asks its home
     * gateway to join ({@link #joinGroup}), at most once per {@value #GROUP_JOIN_RETRY_S} s, and
     * publishes nothing until the group's next broadcast gives it a key.
     */
    public SessionKeySource groupSessionKeys() {
        Map<String, Long> lastTry = new ConcurrentHashMap<>();
        return path -> {
            if (!groups.isMember(path)) {
                long now = System.nanoTime();
                Long last = lastTry.get(path);
                if (last == null || now - last > Duration.ofSeconds(GROUP_JOIN_RETRY_S).toNanos()) {
                    lastTry.put(path, now);
                    try {
                        long from = joinGroup(path);
                        LOG.info("device {}: joined the group of {} (keys from session {})", provisioning.deviceName(),
                                path, from);
                    } catch (IOException | RuntimeException e) {
                        LOG.info("device {}: cannot join the group of {} yet: {}", provisioning.deviceName(), path,
                                e.getMessage());
                    }
                }
            }
            return groups.current(path).map(k -> new chainkm.device.objects.SessionKey(k.session(), k.key()));
        };
    }

    /** Seconds between two attempts of a device to join one of its resources' groups. */
    static final long GROUP_JOIN_RETRY_S = 10;

    /** The keys of the groups of this device's resources. */
    public GroupKeys groups() {
        return groups;
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

    public long seq() {
        return keys.seq();
    }

    public String name() {
        return provisioning.deviceName();
    }

    /** True once this device's identity key is active on the ledger (its bundle's enrollment key is spent). */
    public boolean activated() {
        return Activation.recorded(store.file().getParent());
    }

    /** The public half of this device's identity key (what the ledger records). */
    public byte[] identityKey() {
        return identity.publicKey();
    }

    public InetSocketAddress d2dAddress() {
        return d2d.address();
    }

    /** Identifiers of the keys this device holds (never their bytes). */
    public SortedSet<KeyId> keyIds() {
        return keys.keyIds();
    }

    /** The current value of one of its keys (for tests that play the attacker with a captured device's store). */
    public Optional<KeyMaterial> keyForTests(KeyId id) {
        return keys.current(id);
    }

    public long refusedD2D() {
        return d2d == null ? 0 : d2d.refused();
    }

    @Override
    public void close() {
        link.stopWatching();
        synchronized (this) {
            if (resources != null) {
                resources.close();
            }
        }
        if (d2d != null) {
            d2d.close();
        }
        link.close();
        store.close();
    }
}
