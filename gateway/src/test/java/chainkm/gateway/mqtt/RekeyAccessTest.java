package chainkm.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chainkm.protocol.rekey.Topics;
import org.junit.jupiter.api.Test;

class RekeyAccessTest {

    @Test
    void gatewaysPublishAndSubscribeOnRekeyTopics() {
        assertTrue(RekeyAccess.canPublish("gateway-1", Topics.set(3)));
        assertTrue(RekeyAccess.canPublish("gateway-1", Topics.node(5)));
        assertTrue(RekeyAccess.canSubscribe("gateway-1", Topics.all()));
        assertFalse(RekeyAccess.canPublish("gateway-1", "other/topic"));
        assertFalse(RekeyAccess.canPublish("gateway-", Topics.set(3)));
    }

    @Test
    void devicesOnlySubscribe() {
        assertTrue(RekeyAccess.canSubscribe("device", Topics.all()));
        assertTrue(RekeyAccess.canSubscribe("device", Topics.node(5)));
        assertTrue(RekeyAccess.canSubscribe("device", "chainkm/rekey/set/+"));
        assertFalse(RekeyAccess.canPublish("device", Topics.node(5)));
        assertFalse(RekeyAccess.canPublish("device", "anything/else"));
        assertFalse(RekeyAccess.canSubscribe("device", "#"));
        assertFalse(RekeyAccess.canSubscribe("device", "chainkm/#"));
        assertFalse(RekeyAccess.canSubscribe("device", "+/rekey/node/5"));
        assertFalse(RekeyAccess.canSubscribe("device", "$SYS/#"));
    }

    @Test
    void nobodyElse() {
        assertFalse(RekeyAccess.canSubscribe(null, Topics.all()));
        assertFalse(RekeyAccess.canPublish(null, Topics.set(1)));
        assertFalse(RekeyAccess.canSubscribe("devices", Topics.all()));
        assertFalse(RekeyAccess.canPublish("admin", Topics.set(1)));
    }
}
