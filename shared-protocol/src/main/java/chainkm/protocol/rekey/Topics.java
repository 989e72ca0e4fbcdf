package chainkm.protocol.rekey;

/**
 * MQTT topics of rekey messages, on the broker of the gateway a device is attached to.
 * Only gateways may publish on them (broker ACL); devices only subscribe.
 */
public final class Topics {
    public static final String ROOT = "chainkm/rekey/";

    private Topics() {}

    /** Messages for every member of a set, encrypted under the set key. */
    public static String set(int setId) {
        return ROOT + "set/" + setId;
    }

    /** Messages for one device, encrypted under its node key. */
    public static String node(int nodeId) {
        return ROOT + "node/" + nodeId;
    }

    /** Every rekey topic (for ACLs). */
    public static String all() {
        return ROOT + "#";
    }
}
