package chainkm.device.groups;

import chainkm.device.agent.SecretFiles;
import chainkm.protocol.crypto.Hex;
import chainkm.protocol.crypto.Sha256;
import chainkm.protocol.groupkey.DeviceGroupGrant;
import chainkm.protocol.groupkey.GroupBroadcastEnvelope;
import chainkm.protocol.groupkey.GroupKeyFormatException;
import chainkm.protocol.groupkey.GroupMember;
import chainkm.protocol.groupkey.GroupTopics;
import chainkm.protocol.groupkey.SessionBroadcast;
import chainkm.protocol.keys.AuthenticationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's membership in the groups of its own resources (IoTChain: the key server passes
 * personal keys to resource servers): for each resource path P, a {@link GroupMember} of group
 * G = device + P, fed with the session broadcasts its home gateway publishes on
 * {@code chainkm/groups/<device>/...}, each checked against the gateway keys of its provisioning
 * bundle before it is used. {@link #current(String)} gives the session and key to encrypt under.
 *
 * <p>State: one file per group, {@code <state dir>/groups/<hex of SHA-256(G)>.member} (0600, in a
 * 0700 directory, written atomically after every change), so a reboot keeps the personal secret
 * and the keys it holds. A forged or tampered broadcast is refused with a log line and changes
 * nothing.
 */
public final class GroupKeys {
    private static final Logger LOG = LoggerFactory.getLogger(GroupKeys.class);
    static final String SUFFIX = ".member";

    /** A session key to encrypt under. {@link #toString()} never shows the key. */
    public record SessionKey(long session, byte[] key) {
        public SessionKey {
            key = key.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public String toString() {
            return "SessionKey[session=" + session + "]";
        }
    }

    private final Path dir;
    private final String device;
    private final Map<Integer, byte[]> gatewayKeys;
    private final Map<String, GroupMember> members = new TreeMap<>();

    /**
     * Opens the saved memberships in {@code stateDir}.
     *
     * @param gatewayKeys gateway id to its Ed25519 key (the provisioning bundle's trust anchors)
     */
    public GroupKeys(Path stateDir, String device, Map<Integer, byte[]> gatewayKeys) throws IOException {
        this.dir = stateDir.resolve("groups");
        this.device = Objects.requireNonNull(device, "device");
        this.gatewayKeys = Map.copyOf(gatewayKeys);
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                for (Path f : files) {
                    try {
                        GroupMember m = GroupMember.decode(Files.readAllBytes(f));
                        members.put(m.group(), m);
                    } catch (GroupKeyFormatException e) {
                        LOG.error("group membership {} is unreadable ({}): ignored; the device asks again", f.getFileName(),
                                e.getMessage());
                    }
                }
            }
        }
    }

    /** The MQTT filter of every group of this device. */
    public String topicFilter() {
        return GroupTopics.ofDevice(device);
    }

    /** Becomes (or stays) a member with what its home gateway answered to {@code GET /group?path=P}. */
    public synchronized void join(String path, DeviceGroupGrant grant) throws IOException {
        String group = device + path;
        if (!grant.group().equals(group)) {
            throw new IOException("the gateway answered for group " + grant.group() + ", not " + group);
        }
        GroupMember existing = members.get(group);
        byte[] secret = grant.secret();
        try {
            GroupMember fresh = GroupMember.create(group, secret);
            if (existing != null && sameSecret(existing, fresh)) {
                return; // the same personal secret: keep the keys it holds
            }
            members.put(group, fresh);
            save(fresh);
            LOG.info("device {}: member of group {} from session {}", device, group, grant.session());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** The same group and personal secret: the first bytes of their states (version, group, secret) agree. */
    private static boolean sameSecret(GroupMember a, GroupMember b) {
        int n = 2 + a.group().length() + 32;
        byte[] x = a.encode();
        byte[] y = b.encode();
        try {
            return Arrays.equals(x, 0, n, y, 0, n);
        } finally {
            Arrays.fill(x, (byte) 0);
            Arrays.fill(y, (byte) 0);
        }
    }

    /**
     * A message on {@code chainkm/groups/...}: a signed envelope. Verified against the gateway
     * keys, then given to the member of its group, whose state is saved.
     *
     * @return the sessions whose keys it gave for the first time (empty if it was for no group of
     *         this device, did not include it, or was refused)
     */
    public synchronized java.util.List<Long> onBroadcast(byte[] message) {
        SessionBroadcast b;
        try {
            b = GroupBroadcastEnvelope.decode(message).verify(gatewayKeys);
        } catch (GroupKeyFormatException e) {
            LOG.warn("device {}: refused a malformed group broadcast: {}", device, e.getMessage());
            return java.util.List.of();
        } catch (AuthenticationException e) {
            LOG.warn("device {}: refused a group broadcast: {}", device, e.getMessage());
            return java.util.List.of();
        }
        GroupMember m = members.get(b.group());
        if (m == null) {
            LOG.debug("device {}: broadcast of group {}, not one of its memberships", device, b.group());
            return java.util.List.of();
        }
        try {
            GroupMember.Reception r = m.receive(b);
            if (!r.newSessions().isEmpty()) {
                save(m);
                LOG.info("device {}: group {} session {}{}", device, b.group(), b.session(),
                        r.healed().isEmpty() ? "" : " (healed " + r.healed() + ")");
            }
            return r.newSessions();
        } catch (AuthenticationException e) {
            LOG.warn("device {}: refused broadcast {} of group {}: {}", device, b.session(), b.group(), e.getMessage());
            return java.util.List.of();
        } catch (IOException e) {
            LOG.error("device {}: group {}: state not saved: {}", device, b.group(), e.getMessage());
            return java.util.List.of();
        }
    }

    /** The latest session key of the group of resource {@code path}: what the device encrypts under now. */
    public synchronized Optional<SessionKey> current(String path) {
        GroupMember m = members.get(device + path);
        if (m == null || m.latestSession() == 0) {
            return Optional.empty();
        }
        long j = m.latestSession();
        return m.key(j).map(k -> new SessionKey(j, k));
    }

    /** K_j of the group of {@code path}, if held. */
    public synchronized Optional<byte[]> key(String path, long session) {
        GroupMember m = members.get(device + path);
        return m == null ? Optional.empty() : m.key(session);
    }

    /** Whether the device is a member of the group of {@code path}. */
    public synchronized boolean isMember(String path) {
        return members.containsKey(device + path);
    }

    private void save(GroupMember m) throws IOException {
        SecretFiles.privateDirectory(dir);
        byte[] state = m.encode();
        try {
            SecretFiles.writeAtomically(dir.resolve(Hex.encode(Sha256.hash(m.group().getBytes(StandardCharsets.US_ASCII)))
                    + SUFFIX), state);
        } finally {
            Arrays.fill(state, (byte) 0);
        }
    }
}
