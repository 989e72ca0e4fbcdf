package chainkm.gateway.mqtt;

import chainkm.protocol.rekey.Topics;
import java.util.Map;

/**
 * Who may do what on the broker: the one place that states the ACL that both the embedded
 * broker and the Mosquitto configuration implement.
 *
 * <ul>
 *   <li>{@code gateway-<id>}: publish and subscribe on {@code chainkm/rekey/#};</li>
 *   <li>{@code device}: subscribe on {@code chainkm/rekey/#}, never publish;</li>
 *   <li>everything else (other topics, other users, anonymous): refused.</li>
 * </ul>
 */
public final class RekeyAccess {

    /** The user name every device connects with (its password is consortium-wide). */
    public static final String DEVICE_USER = "device";
    /** Gateways connect as {@code gateway-<id>}, each with its own password. */
    public static final String GATEWAY_USER_PREFIX = "gateway-";

    private RekeyAccess() {}

    /** {@code gateway-<id>} for a gateway id. */
    public static String gatewayUser(String gatewayId) {
        return GATEWAY_USER_PREFIX + gatewayId;
    }

    static boolean isGatewayUser(String user) {
        return user != null && user.startsWith(GATEWAY_USER_PREFIX)
                && user.length() > GATEWAY_USER_PREFIX.length();
    }

    /** May {@code user} publish on the topic name {@code topic}? */
    static boolean canPublish(String user, String topic) {
        return isGatewayUser(user) && isRekeyTopic(topic);
    }

    /** May {@code user} subscribe with the filter {@code filter}? */
    static boolean canSubscribe(String user, String filter) {
        return (isGatewayUser(user) || DEVICE_USER.equals(user)) && isRekeyTopic(filter);
    }

    /**
     * True if the topic name or filter lies inside {@code chainkm/rekey/#}: it starts with
     * the literal levels {@code chainkm/rekey/}, so a wildcard can only widen it below them.
     */
    static boolean isRekeyTopic(String topic) {
        return topic != null && topic.startsWith(Topics.ROOT) && topic.indexOf('\0') < 0;
    }

    /** Checks the credentials a broker is configured with: gateway users and the device password. */
    static void checkCredentials(Map<String, String> gatewayPasswords, String devicePassword) {
        java.util.Objects.requireNonNull(devicePassword, "devicePassword");
        if (devicePassword.isEmpty()) {
            throw new IllegalArgumentException("empty device password");
        }
        checkGatewayPasswords(gatewayPasswords);
    }

    /** Checks that the password map only names {@code gateway-<id>} users with a password. */
    static void checkGatewayPasswords(Map<String, String> gatewayPasswords) {
        for (Map.Entry<String, String> e : gatewayPasswords.entrySet()) {
            if (!isGatewayUser(e.getKey())) {
                throw new IllegalArgumentException("gateway user names must be "
                        + GATEWAY_USER_PREFIX + "<id>, got '" + e.getKey() + "'");
            }
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new IllegalArgumentException("empty password for " + e.getKey());
            }
            checkFileSafe(e.getKey());
        }
    }

    /** User names go into line-oriented files (Mosquitto's password and ACL files). */
    static void checkFileSafe(String user) {
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("user name contains ':', a space or a control character");
            }
        }
    }
}
