package chainkm.gateway.mqtt;

import chainkm.protocol.groupkey.GroupTopics;
import chainkm.protocol.rekey.Topics;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Who may do what on the broker: the one place that states the ACL that both the embedded
 * broker and the Mosquitto dynamic-security roles implement.
 *
 * <ul>
 *   <li>{@code gateway-<id>}: publish and subscribe on {@code chainkm/rekey/#};</li>
 *   <li>a device (user = its name, client id = {@code node-<its node id>}, both checked at
 *       connect against the ledger): subscribe to its own node topic
 *       {@code chainkm/rekey/node/<id>} and to set topics {@code chainkm/rekey/set/<n>} (or
 *       {@code chainkm/rekey/set/+}); never publish. Any set rather than only its own: set
 *       messages are sealed under the set's key and signed by its owner, so another set's
 *       messages tell a device only that a rekey happened, which the rekeys of its own
 *       pairwise set keys tell it anyway; and a device moved by Reorder resubscribes without
 *       racing the broker's view of the ledger;</li>
 *   <li>session broadcasts of group keys, {@code chainkm/groups/#}: gateways publish and
 *       subscribe; a device subscribes, read-only, to {@code chainkm/groups/<its name>/#}, the
 *       groups of its own resources (docs/group-keys.md, "Group sessions on gateways");</li>
 *   <li>everything else (other topics, other users, anonymous): refused.</li>
 * </ul>
 * A user name with the gateway prefix is only ever checked as a gateway.
 */
public final class RekeyAccess {

    /** Gateways connect as {@code gateway-<id>}, each with its own password. */
    public static final String GATEWAY_USER_PREFIX = "gateway-";
    /** Devices connect with client id {@code node-<node id>}. */
    public static final String CLIENT_ID_PREFIX = "node-";
    static final String SET_WILDCARD = Topics.ROOT + "set/+";

    private RekeyAccess() {}

    /** {@code gateway-<id>} for a gateway id. */
    public static String gatewayUser(String gatewayId) {
        return GATEWAY_USER_PREFIX + gatewayId;
    }

    /** The client id a device must use: {@code node-<nodeId>}. */
    public static String clientId(int nodeId) {
        return CLIENT_ID_PREFIX + nodeId;
    }

    static boolean isGatewayUser(String user) {
        return user != null && user.startsWith(GATEWAY_USER_PREFIX)
                && user.length() > GATEWAY_USER_PREFIX.length();
    }

    /** The node of a canonical {@code node-<id>} client id ({@code node-007} is not node 7). */
    static OptionalInt nodeOfClientId(String clientId) {
        if (clientId == null || !clientId.startsWith(CLIENT_ID_PREFIX)) {
            return OptionalInt.empty();
        }
        String digits = clientId.substring(CLIENT_ID_PREFIX.length());
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalInt.empty();
        }
        try {
            int id = Integer.parseInt(digits);
            return Integer.toString(id).equals(digits) ? OptionalInt.of(id) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** May {@code user} publish on the topic name {@code topic}? */
    static boolean canPublish(String user, String topic) {
        return isGatewayUser(user) && (isRekeyTopic(topic) || isGroupTopic(topic));
    }

    /**
     * May {@code user}, connected as {@code clientId} (already checked to be its node's), subscribe
     * with the filter {@code filter}?
     */
    static boolean canSubscribe(String user, String clientId, String filter) {
        if (user == null || filter == null) {
            return false;
        }
        if (isGatewayUser(user)) {
            return isRekeyTopic(filter) || isGroupTopic(filter);
        }
        OptionalInt node = nodeOfClientId(clientId);
        return node.isPresent() && (filter.equals(Topics.node(node.getAsInt())) || isSetTopic(filter)
                || isOwnGroupTopic(user, filter));
    }

    /** {@code chainkm/rekey/set/<decimal>} or {@code chainkm/rekey/set/+}. */
    static boolean isSetTopic(String filter) {
        if (filter.equals(SET_WILDCARD)) {
            return true;
        }
        String prefix = Topics.ROOT + "set/";
        if (!filter.startsWith(prefix)) {
            return false;
        }
        String id = filter.substring(prefix.length());
        return !id.isEmpty() && id.length() <= 10 && id.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * True if the topic name or filter lies inside {@code chainkm/rekey/#}: it starts with
     * the literal levels {@code chainkm/rekey/}, so a wildcard can only widen it below them.
     */
    static boolean isRekeyTopic(String topic) {
        return topic != null && topic.startsWith(Topics.ROOT) && topic.indexOf('\0') < 0;
    }

    /** Inside {@code chainkm/groups/#}: literal first levels, as for rekey topics. */
    static boolean isGroupTopic(String topic) {
        return topic != null && topic.startsWith(GroupTopics.ROOT) && topic.indexOf('\0') < 0;
    }

    /**
     * Inside {@code chainkm/groups/<device>/#} for the device logged in as {@code device}: the
     * broadcasts of its own resources' groups. The device name is a literal level (device names
     * hold no wildcard), so a filter cannot reach another device's groups.
     */
    static boolean isOwnGroupTopic(String device, String filter) {
        return filter.startsWith(GroupTopics.ROOT + device + "/") && filter.indexOf('\0') < 0;
    }

    /** Checks that the password map only names {@code gateway-<id>} users with a password. */
    static void checkGatewayPasswords(Map<String, String> gatewayPasswords) {
        Objects.requireNonNull(gatewayPasswords, "gatewayPasswords");
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

    /** User names go into Mosquitto's files and JSON commands. */
    static void checkFileSafe(String user) {
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c == ':' || c == '"' || c == '\\' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("user name contains ':', a quote, a space or a control character");
            }
        }
    }
}
