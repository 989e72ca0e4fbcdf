package chainkm.gateway.mqtt;

import chainkm.protocol.identity.DeviceName;
import io.moquette.broker.security.IAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's CONNECT check, before Moquette touches any session (so a refused
 * client never takes over, or kicks, the session of the client id it claimed):
 * <ul>
 *   <li>{@code gateway-<id>}: that gateway's password;</li>
 *   <li>anyone else is a device: the user must be a device name that the ledger admits
 *       ({@link DeviceRoster#nodeOf}: enrolled or active, a member), the client id must be
 *       {@code node-<that device's node>}, and the password the one {@link DevicePasswords}
 *       derives for them.</li>
 * </ul>
 * Each refusal is logged with its reason, never with the password. Accepted devices are
 * remembered by client id so that {@link #revoked()} can name those the ledger no longer admits.
 */
final class ClientLogin implements IAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(ClientLogin.class);
    private static final byte[] NO_USER = sha256(new byte[] {0});

    private final Map<String, byte[]> gatewayDigests = new HashMap<>();
    private final DevicePasswords passwords;
    private final DeviceRoster roster;
    /** Client id to device name, for every device connect accepted (some may have gone since). */
    private final Map<String, String> devices = new ConcurrentHashMap<>();

    ClientLogin(Map<String, String> gatewayPasswords, DevicePasswords passwords, DeviceRoster roster) {
        RekeyAccess.checkGatewayPasswords(gatewayPasswords);
        gatewayPasswords.forEach((user, password) ->
                gatewayDigests.put(user, sha256(password.getBytes(StandardCharsets.UTF_8))));
        this.passwords = passwords;
        this.roster = roster;
    }

    @Override
    public boolean checkValid(String clientId, String user, byte[] password) {
        if (user == null || password == null) {
            LOG.info("MQTT connect refused: client '{}' gave no user name or password", printable(clientId));
            return false;
        }
        if (RekeyAccess.isGatewayUser(user)) {
            // digests: the time taken depends neither on the password's length nor on where it differs
            byte[] expected = gatewayDigests.get(user);
            boolean match = MessageDigest.isEqual(expected == null ? NO_USER : expected, sha256(password));
            if (expected == null || !match) {
                LOG.warn("MQTT connect refused: wrong password or unknown gateway user '{}'", printable(user));
                return false;
            }
            return true;
        }
        String refusal = checkDevice(clientId, user, password);
        if (refusal != null) {
            LOG.warn("MQTT connect refused: device '{}' as client '{}': {}", printable(user), printable(clientId), refusal);
            return false;
        }
        devices.put(clientId, user);
        return true;
    }

    /** Null if the device may connect, else why not. */
    private String checkDevice(String clientId, String user, byte[] password) {
        try {
            DeviceName.check(user);
        } catch (IllegalArgumentException e) {
            return "not a device name";
        }
        OptionalInt node = roster.nodeOf(user);
        if (node.isEmpty()) {
            return "not a member, or its identity is revoked";
        }
        if (!RekeyAccess.clientId(node.getAsInt()).equals(clientId)) {
            return "its client id must be " + RekeyAccess.clientId(node.getAsInt());
        }
        if (!passwords.matches(user, node.getAsInt(), password)) {
            return "wrong password";
        }
        return null;
    }

    /** Client ids of accepted devices whose name the ledger no longer admits as that node; forgotten here. */
    List<String> revoked() {
        List<String> out = new java.util.ArrayList<>();
        devices.forEach((clientId, user) -> {
            OptionalInt node = roster.nodeOf(user);
            if (node.isEmpty() || !RekeyAccess.clientId(node.getAsInt()).equals(clientId)) {
                out.add(clientId);
            }
        });
        out.forEach(devices::remove);
        return out;
    }

    static String printable(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > 64 ? out + "..." : out.toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
