package chainkm.cli.groups;

import chainkm.cli.authz.ClientEndpoint;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.GroupKeyFormatException;
import chainkm.protocol.groupkey.GroupMember;
import chainkm.protocol.groupkey.SessionBroadcast;
import chainkm.protocol.keys.AuthenticationException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client following a group's sessions: a {@link GroupMember} holding the personal secret the
 * key server granted, fed with the group's session broadcasts from the home gateway's client
 * endpoint ({@code GET /authz/group?g=G}, observed, and read again every {@code poll} in case a
 * notification was lost). Every broadcast's gateway signature is checked against the genesis
 * keys before the member sees it; a forged or tampered one is refused with a log line and
 * changes nothing. The member's state is saved (0600, atomically) after each new key.
 */
public final class GroupFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupFollower.class);

    /** What the follower reports. */
    public interface Listener {
        /**
         * A session whose key the member computed for the first time.
         *
         * @param epoch  the first session of its epoch within the broadcast's window
         * @param healed true when it came from a later broadcast (its own was missed)
         */
        void session(String group, long session, long epoch, boolean healed);

        /** A broadcast refused (forged, tampered, malformed). */
        default void refused(String why) {
        }

        /** Every envelope whose gateway signature verified, as it arrived (before any drop). */
        default void envelope(byte[] bytes) {
        }
    }

    private final String group;
    private final Map<Integer, byte[]> gatewayKeys;
    private final GroupMember member;
    private final Path stateFile;
    private final Listener listener;
    private volatile LongPredicate dropped = j -> false;
    private ClientEndpoint endpoint;
    private Request observation;
    private Thread poller;
    private volatile boolean closed;

    private GroupFollower(String group, Map<Integer, byte[]> gatewayKeys, GroupMember member, Path stateFile,
                          Listener listener) {
        this.group = group;
        this.gatewayKeys = Map.copyOf(gatewayKeys);
        this.member = member;
        this.stateFile = stateFile;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * A member of {@code group} with {@code personalSecret}, its state in {@code stateFile} (null:
     * in memory only; a saved state of the same group and secret is taken up again), not yet
     * connected: feed it with {@link #onEnvelope} or {@link #follow}.
     */
    public static GroupFollower create(String group, byte[] personalSecret, Map<Integer, byte[]> gatewayKeys,
                                       Path stateFile, Listener listener) throws IOException {
        GroupMember fresh = GroupMember.create(group, personalSecret);
        GroupMember member = fresh;
        if (stateFile != null && Files.exists(stateFile)) {
            try {
                GroupMember saved = GroupMember.decode(Files.readAllBytes(stateFile));
                int n = 2 + group.length() + 32; // version, group, personal secret: the same member
                if (Arrays.equals(saved.encode(), 0, n, fresh.encode(), 0, n)) {
                    member = saved;
                }
            } catch (GroupKeyFormatException e) {
                LOG.warn("group {}: saved state unreadable ({}): starting afresh", group, e.getMessage());
            }
        }
        return new GroupFollower(group, gatewayKeys, member, stateFile, listener);
    }

    /**
     * Follows the broadcasts served by a gateway's client endpoint (the group's home gateway):
     * observes them and reads them again every {@code poll}.
     */
    public synchronized GroupFollower follow(InetSocketAddress gateway, byte[] gatewayKey, Ed25519.KeyPair client,
                                             Duration poll) throws IOException {
        String query = "g=" + group;
        connect(gateway, gatewayKey, client, query);
        poller = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(poll.toMillis());
                    ClientEndpoint e;
                    synchronized (this) {
                        e = endpoint;
                    }
                    onResponse(e.get("group", query, poll.toMillis() + 5_000));
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    // the gateway restarted (its DTLS sessions are gone) or is away: a new session, a new observation
                    LOG.info("group {}: no answer from the gateway ({}); connecting again", group, e.getMessage());
                    try {
                        connect(gateway, gatewayKey, client, query);
                    } catch (IOException again) {
                        LOG.debug("group {}: reconnect failed: {}", group, again.getMessage());
                    }
                }
            }
        }, "group-follower-" + group);
        poller.setDaemon(true);
        poller.start();
        return this;
    }

    private synchronized void connect(InetSocketAddress gateway, byte[] gatewayKey, Ed25519.KeyPair client, String query)
            throws IOException {
        if (closed) {
            return;
        }
        if (observation != null) {
            observation.cancel();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        endpoint = ClientEndpoint.connect(gateway, client, gatewayKey);
        observation = endpoint.observe("group", query, this::onResponse);
    }

    private void onResponse(Response r) {
        if (r.getCode() == ResponseCode.CONTENT) {
            onEnvelope(r.getPayload());
        } else if (!closed) {
            LOG.debug("group {}: the gateway answered {} {}", group, r.getCode(), r.getPayloadString());
        }
    }

    /**
     * Test and loss-experiment hook: broadcasts of the sessions {@code drop} matches are thrown
     * away on arrival, as if the network had lost them.
     */
    public void dropSessions(LongPredicate drop) {
        dropped = Objects.requireNonNull(drop, "drop");
    }

    /** One signed envelope: verified against the genesis keys, then given to the member. */
    public List<Long> onEnvelope(byte[] bytes) {
        synchronized (member) { // not this object's lock: Californium's threads call in while connect() holds it
            return receive(bytes);
        }
    }

    private List<Long> receive(byte[] bytes) {
        SessionBroadcast b;
        try {
            b = GroupBroadcastEnvelope.decode(bytes).verify(gatewayKeys);
        } catch (GroupKeyFormatException | AuthenticationException e) {
            LOG.warn("group {}: refused a broadcast: {}", group, e.getMessage());
            listener.refused(e.getMessage());
            return List.of();
        }
        listener.envelope(bytes.clone());
        if (dropped.test(b.session())) {
            return List.of();
        }
        GroupMember.Reception r;
        try {
            r = member.receive(b);
        } catch (AuthenticationException e) {
            LOG.warn("group {}: refused broadcast of session {}: {}", group, b.session(), e.getMessage());
            listener.refused(e.getMessage());
            return List.of();
        }
        if (r.newSessions().isEmpty()) {
            return List.of();
        }
        save();
        for (long j : r.newSessions()) {
            listener.session(group, j, epochOf(b, j), j < b.session());
        }
        return r.newSessions();
    }

    /** The first session of j's epoch within b's window. */
    static long epochOf(SessionBroadcast b, long j) {
        long epoch = b.windowStart();
        for (long start : b.epochStarts()) {
            if (start <= j) {
                epoch = start;
            }
        }
        return epoch;
    }

    /**
     * The hook for protected objects (issue 14, item 2): decode the SignedObject, verify it with
     * the device's enrolled key, decrypt it with K_j of the session it names, and report the
     * reading. Wired in with the proxy's observation; until then, not available.
     */
    public Optional<byte[]> onObject(byte[] signedObject) {
        throw new UnsupportedOperationException("protected objects are not wired into the follower yet");
    }

    /** K_j, if the member computed and kept it. */
    public Optional<byte[]> key(long session) {
        return member.key(session);
    }

    /** The latest session whose broadcast included this member (0 before any). */
    public long latestSession() {
        return member.latestSession();
    }

    public String group() {
        return group;
    }

    private void save() {
        if (stateFile == null) {
            return;
        }
        byte[] state = member.encode();
        try {
            Path dir = stateFile.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tmp = dir.resolve(stateFile.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buf = ByteBuffer.wrap(state);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("group {}: state not saved: {}", group, e.getMessage());
        } finally {
            Arrays.fill(state, (byte) 0);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (observation != null) {
            observation.cancel();
        }
        if (poller != null) {
            poller.interrupt();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }
}
