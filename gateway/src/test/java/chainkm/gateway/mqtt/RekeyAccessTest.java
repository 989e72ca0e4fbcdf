package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.rekey.Topics;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RekeyAccessTest {

    @Test
    void gatewaysPublishAndSubscribeOnRekeyTopics() {
        assertTrue(RekeyAccess.canPublish("gateway-1", Topics.set(3)));
        assertTrue(RekeyAccess.canPublish("gateway-1", Topics.node(5)));
        assertTrue(RekeyAccess.canSubscribe("gateway-1", "gateway-1-publisher", Topics.all()));
        assertFalse(RekeyAccess.canPublish("gateway-1", "other/topic"));
        assertFalse(RekeyAccess.canPublish("gateway-", Topics.set(3)));
    }

    @Test
    void devicesSubscribeToTheirOwnNodeTopicAndSetTopicsAndNeverPublish() {
        assertTrue(RekeyAccess.canSubscribe("dev-5", "node-5", Topics.node(5)));
        assertTrue(RekeyAccess.canSubscribe("dev-5", "node-5", Topics.set(2)));
        assertTrue(RekeyAccess.canSubscribe("dev-5", "node-5", "chainkm/rekey/set/+"));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", Topics.node(6)));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", "chainkm/rekey/node/+"));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", Topics.all()));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", "chainkm/rekey/set/#"));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", "chainkm/rekey/set/1x"));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", "#"));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "node-5", "$SYS/#"));
        assertFalse(RekeyAccess.canSubscribe("dev-5", "not-a-node", Topics.set(2)));
        assertFalse(RekeyAccess.canPublish("dev-5", Topics.node(5)));
        assertFalse(RekeyAccess.canPublish("dev-5", "anything/else"));
    }

    @Test
    void onlyCanonicalNodeClientIds() {
        assertEquals(OptionalInt.of(7), RekeyAccess.nodeOfClientId("node-7"));
        assertEquals(OptionalInt.empty(), RekeyAccess.nodeOfClientId("node-007"));
        assertEquals(OptionalInt.empty(), RekeyAccess.nodeOfClientId("node--7"));
        assertEquals(OptionalInt.empty(), RekeyAccess.nodeOfClientId("node-"));
        assertEquals(OptionalInt.empty(), RekeyAccess.nodeOfClientId("node-99999999999"));
        assertEquals(OptionalInt.empty(), RekeyAccess.nodeOfClientId(null));
    }

    @Test
    void nobodyElse() {
        assertFalse(RekeyAccess.canSubscribe(null, "node-1", Topics.all()));
        assertFalse(RekeyAccess.canPublish(null, Topics.set(1)));
        assertFalse(RekeyAccess.canPublish("admin", Topics.set(1)));
    }

    @Test
    void onlyGatewaysPublishGroupBroadcastsAndADeviceReadsOnlyItsOwnGroups() {
        String topic = chainkm.protocol.groupkey.GroupTopics.topic("lamp-1/light");
        assertTrue(RekeyAccess.canPublish("gateway-1", topic));
        assertTrue(RekeyAccess.canSubscribe("gateway-1", "gateway-1", "chainkm/groups/#"));
        assertFalse(RekeyAccess.canPublish("lamp-1", topic), "a device never publishes a broadcast");
        assertFalse(RekeyAccess.canPublish(null, topic));
        assertTrue(RekeyAccess.canSubscribe("lamp-1", "node-7", topic));
        assertTrue(RekeyAccess.canSubscribe("lamp-1", "node-7", "chainkm/groups/lamp-1/#"));
        assertFalse(RekeyAccess.canSubscribe("lamp-1", "node-7", "chainkm/groups/lamp-2/light"), "another device's group");
        assertFalse(RekeyAccess.canSubscribe("lamp-1", "node-7", "chainkm/groups/#"));
        assertFalse(RekeyAccess.canSubscribe("lamp-1", "node-7", "chainkm/groups/+/light"));
        assertFalse(RekeyAccess.canSubscribe("lamp", "node-7", "chainkm/groups/lamp-1/light"), "a name that is a prefix");
        assertFalse(RekeyAccess.canSubscribe("lamp-1", "not-a-node", topic));
    }
}
