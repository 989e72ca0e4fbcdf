package chainkm.gateway.mqtt;

import chainkm.protocol.groupkey.GroupTopics;
import chainkm.protocol.rekey.Topics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * {@link RekeyAccess} in the terms of Mosquitto's dynamic-security plugin: roles and their
 * ACLs, and the plugin's initial configuration (its JSON file) with the gateway as the one
 * client, administrator of the plugin. Devices are added and removed at run time by
 * {@link MosquittoDynsec}, each as a client bound to its client id with two roles:
 * {@link #SETS_ROLE} and its own {@link #nodeRole} (which also lets it read its own groups' session
 * broadcasts, {@code chainkm/groups/<device>/#}).
 */
final class DynsecRoles {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The gateway: rekey topics, and the plugin's control topics. */
    static final String GATEWAY_ROLE = "chainkm-gateway";
    /** Every device: subscribe to set topics. */
    static final String SETS_ROLE = "chainkm-device-sets";
    static final String CONTROL_TOPICS = "$CONTROL/dynamic-security/#";

    private DynsecRoles() {}

    /** The role of one device: subscribe to its own node topic only. */
    static String nodeRole(int nodeId) {
        return "chainkm-node-" + nodeId;
    }

    /** Its node topic, and read-only the session broadcasts of its own resources' groups. */
    static ObjectNode nodeRoleDefinition(int nodeId, String device) {
        ObjectNode role = JSON.createObjectNode().put("rolename", nodeRole(nodeId));
        ArrayNode acls = role.putArray("acls");
        acl(acls, "subscribeLiteral", Topics.node(nodeId));
        acl(acls, "publishClientReceive", Topics.node(nodeId));
        acl(acls, "subscribePattern", GroupTopics.ofDevice(device));
        acl(acls, "publishClientReceive", GroupTopics.ofDevice(device));
        return role;
    }

    /** The plugin's file: deny by default, the gateway's client and the two shared roles. */
    static ObjectNode initialConfig(String gatewayUser, String gatewayPassword, SecureRandom random) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("defaultACLAccess").put("publishClientSend", false).put("publishClientReceive", false)
                .put("subscribe", false).put("unsubscribe", true);
        byte[] salt = new byte[MosquittoConfig.SALT_BYTES];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        ObjectNode gateway = root.putArray("clients").addObject().put("username", gatewayUser)
                .put("salt", b64.encodeToString(salt))
                .put("password", b64.encodeToString(MosquittoConfig.pbkdf2(gatewayPassword, salt,
                        MosquittoConfig.PBKDF2_ITERATIONS)))
                .put("iterations", MosquittoConfig.PBKDF2_ITERATIONS);
        gateway.putArray("roles").addObject().put("rolename", GATEWAY_ROLE);
        root.putArray("groups");
        ArrayNode roles = root.putArray("roles");
        ObjectNode g = roles.addObject().put("rolename", GATEWAY_ROLE);
        ArrayNode gacls = g.putArray("acls");
        for (String topic : new String[] {Topics.all(), GroupTopics.all(), CONTROL_TOPICS}) {
            acl(gacls, "publishClientSend", topic);
            acl(gacls, "publishClientReceive", topic);
            acl(gacls, "subscribePattern", topic);
        }
        ObjectNode sets = roles.addObject().put("rolename", SETS_ROLE);
        ArrayNode sacls = sets.putArray("acls");
        acl(sacls, "subscribePattern", RekeyAccess.SET_WILDCARD);
        acl(sacls, "publishClientReceive", RekeyAccess.SET_WILDCARD);
        return root;
    }

    private static void acl(ArrayNode acls, String type, String topic) {
        acls.addObject().put("acltype", type).put("topic", topic).put("allow", true).put("priority", 0);
    }
}
