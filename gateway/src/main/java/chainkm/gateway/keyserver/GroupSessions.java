package chainkm.gateway.keyserver;

import chainkm.gateway.keyserver.MembershipLedger.Standing;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.groupkey.DeviceGroupGrant;
import chainkm.protocol.groupkey.DeviceMemberId;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.GroupFullException;
import chainkm.protocol.groupkey.GroupKeyFormatException;
import chainkm.protocol.groupkey.GroupManager;
import chainkm.protocol.groupkey.GroupTopics;
import chainkm.protocol.groupkey.SessionBroadcast;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group managers of the groups whose device has this gateway as home (IoTChain's key
 * server as group manager, docs/group-keys.md, "Group sessions on gateways"):
 * <ul>
 *   <li>a granted access adds the token's cti as a member ({@link #personalSecret}); the
 *       device itself joins the groups of its own resources under its fixed member id
 *       ({@link #deviceGrant});</li>
 *   <li>after every commit ({@link #committed()}), members whose token was deleted are revoked,
 *       those whose token reached its exp expired, and a device that left is removed;</li>
 *   <li>membership changes open one new session after {@link #BATCH} (so the changes of one
 *       block, or of a burst of joins, make one session), and every group with members gets an
 *       interval session every {@code interval} (none when zero);</li>
 *   <li>each session's state is saved ({@link GroupStateStore}) before its broadcast, signed by
 *       this gateway ({@link GroupBroadcastEnvelope}), is published retained on
 *       {@code chainkm/groups/<G>}; at start every saved group opens a session at once, so the
 *       (in-memory) broker holds a current broadcast again and session numbers only grow.</li>
 * </ul>
 * Sessions are opened on one thread of their own, never on the consensus thread.
 */
public final class GroupSessions implements MemberSecrets, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSessions.class);
    /** How long membership changes wait to be opened together in one session. */
    public static final Duration BATCH = Duration.ofMillis(300);
    static final Duration TICK = Duration.ofMillis(100);

    private final int gatewayId;
    private final Ed25519.KeyPair signer;
    private final GroupSecretStore secrets;
    private final GroupStateStore states;
    private final MembershipLedger ledger;
    private final BroadcastPublisher publisher;
    private final int window;
    private final Duration interval;
    private final TreeMap<String, Group> groups = new TreeMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService ticker;

    /** One group: its manager, when changes started waiting, its last session and broadcast. */
    private static final class Group {
        GroupManager manager;
        long pendingSince = -1;
        long lastSession;
        byte[] latest;

        Group(GroupManager manager, long now) {
            this.manager = manager;
            this.lastSession = now;
        }
    }

    /** Loads every saved group; nothing runs until {@link #start()}. */
    public GroupSessions(int gatewayId, Ed25519.KeyPair signer, GroupSecretStore secrets, GroupStateStore states,
                         MembershipLedger ledger, BroadcastPublisher publisher, int window, Duration interval)
            throws IOException {
        this.gatewayId = gatewayId;
        this.signer = Objects.requireNonNull(signer, "signer");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.states = Objects.requireNonNull(states, "states");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.window = window;
        this.interval = Objects.requireNonNull(interval, "interval");
        long now = System.nanoTime();
        for (GroupManager m : states.loadAll()) {
            Group g = new Group(m, now);
            g.pendingSince = now - BATCH.toNanos(); // a session at once: see the class comment
            groups.put(m.group(), g);
            LOG.info("group {}: restored at session {} with {} members", m.group(), m.session(), m.memberCount());
        }
    }

    /** Starts the thread that opens sessions. */
    public synchronized GroupSessions start() {
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "group-sessions");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(this::tickQuietly, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Called with a group's name after each of its sessions (its latest broadcast changed). */
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    // --- members --------------------------------------------------------------------------

    /**
     * The personal secret of the member holding token {@code cti}, adding it to the group (and
     * saving the group) if it is not a member yet; {@code num} is the first session at which it
     * holds the key: the current one, or the next one (opened within {@link #BATCH}) for a member
     * that just joined.
     */
    @Override
    public MemberSecret personalSecret(String group, byte[] cti) throws IOException {
        synchronized (this) {
            Group g = open(group);
            GroupManager m = g.manager;
            if (!m.isMember(cti)) {
                byte[] before = m.encode();
                try {
                    m.addMember(cti);
                    states.save(m);
                } catch (GroupFullException e) {
                    throw new IOException(e.getMessage());
                } catch (IOException | RuntimeException e) {
                    restore(g, before);
                    throw e;
                } finally {
                    Arrays.fill(before, (byte) 0);
                }
                pending(g);
            }
            long first = m.members().stream().filter(x -> Arrays.equals(x.cti(), cti)).findFirst()
                    .map(GroupManager.Membership::firstSession).orElse(0L);
            byte[] secret = m.personalSecret(cti);
            try {
                return new MemberSecret(secret, first == 0 ? m.session() + 1 : m.session());
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    /**
     * The device's own membership in the group of its resource {@code path} (G = device + path),
     * under its fixed member id ({@link DeviceMemberId}); only for a device whose home is this gateway.
     *
     * @throws NotHomeException if this gateway is not the device's home
     */
    public DeviceGroupGrant deviceGrant(String device, String path) throws IOException {
        OptionalInt home = ledger.homeOf(device);
        if (home.isEmpty() || home.getAsInt() != gatewayId) {
            throw new NotHomeException("gateway " + gatewayId + " is not the home of device " + device
                    + (home.isEmpty() ? "" : " (gateway " + home.getAsInt() + " is)"));
        }
        String group = device + path;
        MemberSecret s = personalSecret(group, DeviceMemberId.of(device));
        byte[] key = s.key();
        try {
            int w;
            synchronized (this) {
                w = groups.get(group).manager.window();
            }
            return new DeviceGroupGrant(group, s.num(), w, key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** This gateway is not the home of the device: it manages none of its groups. */
    public static final class NotHomeException extends IOException {
        private static final long serialVersionUID = 1L;

        NotHomeException(String message) {
            super(message);
        }
    }

    /** The group's manager, loaded or made (and saved) on first use. */
    private Group open(String group) throws IOException {
        Group g = groups.get(group);
        if (g != null) {
            return g;
        }
        if (states.exists(group)) {
            throw new IOException("the saved state of group " + group + " was refused at start (see the log)");
        }
        byte[] master = secrets.masterSecret(group);
        GroupManager m;
        try {
            m = GroupManager.create(group, master, window);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
        states.save(m);
        g = new Group(m, System.nanoTime());
        groups.put(group, g);
        LOG.info("group {}: created (window {}) by the key server of gateway {}", group, window, gatewayId);
        return g;
    }

    private static void restore(Group g, byte[] before) {
        try {
            g.manager = GroupManager.decode(before);
        } catch (GroupKeyFormatException e) {
            throw new IllegalStateException("a group state just encoded does not decode", e);
        }
    }

    private static void pending(Group g) {
        if (g.pendingSince < 0) {
            g.pendingSince = System.nanoTime();
        }
    }

    // --- the ledger -----------------------------------------------------------------------

    /**
     * After a commit: revokes the members whose token the ledger deleted, expires those whose
     * token reached its exp, removes a device that left. Their removal opens the next session.
     */
    public void committed() {
        List<String> names;
        synchronized (this) {
            names = new ArrayList<>(groups.keySet());
        }
        for (String name : names) {
            String device = name.substring(0, name.indexOf('/'));
            List<byte[]> members;
            synchronized (this) {
                members = groups.get(name).manager.members().stream().map(GroupManager.Membership::cti).toList();
            }
            for (byte[] cti : members) {
                Standing standing = ledger.standing(device, cti);
                if (standing == Standing.LIVE) {
                    continue;
                }
                synchronized (this) {
                    Group g = groups.get(name);
                    boolean removed = standing == Standing.REVOKED ? g.manager.revoke(cti) : g.manager.expire(cti);
                    if (removed) {
                        LOG.info("group {}: member {} {} on the ledger at height {}; out from session {}", name,
                                Hex.encode(cti).substring(0, 8), standing == Standing.REVOKED ? "revoked" : "expired",
                                ledger.height(), g.manager.session() + 1);
                        pending(g);
                    }
                }
            }
        }
    }

    // --- sessions -------------------------------------------------------------------------

    private void tickQuietly() {
        try {
            tick(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.error("group sessions: {}", e.toString());
        }
    }

    /** Opens the sessions that are due at {@code now} (nanoTime) and publishes their broadcasts. */
    void tick(long now) {
        Map<String, byte[]> published = new TreeMap<>();
        synchronized (this) {
            for (Group g : groups.values()) {
                boolean changed = g.pendingSince >= 0 && now - g.pendingSince >= BATCH.toNanos();
                boolean due = !interval.isZero() && g.manager.memberCount() > 0
                        && now - g.lastSession >= interval.toNanos();
                if (changed || due) {
                    openSession(g, now, changed ? "membership" : "interval").ifPresent(e ->
                            published.put(g.manager.group(), e));
                }
            }
        }
        for (Map.Entry<String, byte[]> e : published.entrySet()) {
            try {
                publisher.publishRetained(GroupTopics.topic(e.getKey()), e.getValue());
            } catch (RuntimeException ex) {
                LOG.warn("group {}: broadcast not published ({}); the next session heals its members", e.getKey(),
                        ex.getMessage());
            }
            listeners.forEach(l -> l.accept(e.getKey()));
        }
    }

    /** Opens the next session, saves the state, signs the broadcast; empty (and nothing changed) if the save fails. */
    private Optional<byte[]> openSession(Group g, long now, String why) {
        GroupManager m = g.manager;
        byte[] before = m.encode();
        try {
            SessionBroadcast b = m.newSession();
            try {
                states.save(m);
            } catch (IOException e) {
                restore(g, before);
                LOG.error("group {}: session {} not opened: its state could not be saved ({}); retrying", m.group(),
                        b.session(), e.getMessage());
                return Optional.empty();
            }
            byte[] envelope = GroupBroadcastEnvelope.sign(gatewayId, b, signer).encode();
            g.latest = envelope;
            g.lastSession = now;
            g.pendingSince = -1;
            LOG.info("group {}: session {} opened ({}; {} members, epoch from session {}, broadcast {} bytes)", m.group(),
                    b.session(), why, m.memberCount(), m.epochStart(), envelope.length);
            return Optional.of(envelope);
        } finally {
            Arrays.fill(before, (byte) 0);
        }
    }

    // --- reads ----------------------------------------------------------------------------

    /** The signed envelope of the group's latest session, if this gateway manages the group and opened one since it started. */
    public synchronized Optional<byte[]> latest(String group) {
        Group g = groups.get(group);
        return g == null || g.latest == null ? Optional.empty() : Optional.of(g.latest.clone());
    }

    /** The device's home gateway on the committed ledger. */
    public OptionalInt homeOf(String device) {
        return ledger.homeOf(device);
    }

    /** The current session of a group this gateway manages (0 before its first), or empty. */
    public synchronized Optional<Long> session(String group) {
        Group g = groups.get(group);
        return g == null ? Optional.empty() : Optional.of(g.manager.session());
    }

    /** The groups this gateway manages. */
    public synchronized List<String> groups() {
        return List.copyOf(groups.keySet());
    }

    /** The healing window of groups made from now on. */
    public int window() {
        return window;
    }

    @Override
    public void close() {
        ScheduledExecutorService ticker;
        synchronized (this) {
            ticker = this.ticker;
        }
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
