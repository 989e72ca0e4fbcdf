package chainkm.protocol.groupkey;

/**
 * MQTT topics of session broadcasts: {@code chainkm/groups/<G>}, on the broker of the group's
 * home gateway, retained, QoS 1, published only by gateways. The group name G is
 * {@code <device><path>}, so its {@code /} become topic levels ({@code lamp-1/light} is
 * {@code chainkm/groups/lamp-1/light}); a device's groups are all under
 * {@code chainkm/groups/<device>/#}. The characters MQTT reserves in topic names are escaped as
 * in a URI: {@code %} is {@code %25}, {@code +} is {@code %2B}, {@code #} is {@code %23}
 * (device names cannot hold them; paths may).
 */
public final class GroupTopics {
    public static final String ROOT = "chainkm/groups/";

    private GroupTopics() {}

    /** The topic of group {@code group}. */
    public static String topic(String group) {
        GroupName.check(group);
        StringBuilder s = new StringBuilder(ROOT.length() + group.length() + 8).append(ROOT);
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            switch (c) {
                case '%' -> s.append("%25");
                case '+' -> s.append("%2B");
                case '#' -> s.append("%23");
                default -> s.append(c);
            }
        }
        return s.toString();
    }

    /** The filter of every group of device {@code device}. */
    public static String ofDevice(String device) {
        return ROOT + device + "/#";
    }

    /** Every group topic (for ACLs). */
    public static String all() {
        return ROOT + "#";
    }
}
