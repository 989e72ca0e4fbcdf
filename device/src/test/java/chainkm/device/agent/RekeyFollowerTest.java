package chainkm.device.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import chainkm.device.keys.DeviceKeys;
import chainkm.device.store.InMemoryKeyStore;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.ledger.Operation;
import chainkm.protocol.rekey.JoinBundle;
import chainkm.protocol.rekey.KeyUpdate;
import chainkm.protocol.rekey.RekeyMessage;
import chainkm.protocol.rekey.Topics;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rekey message that arrives before the agent has its MQTT subscriber (the broker delivers a
 * persistent session's queue during connect). Before issue 12 the follower applied it with no
 * subscription to move (a NullPointerException that Paho's callback logged, the message
 * acknowledged, the set move's subscription lost); now it is held and applied once the
 * subscription exists, which then follows the move.
 */
class RekeyFollowerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NODE = 12;
    private static final int SET = 3;
    private static final int NEW_SET = 7;
    private final Ed25519.KeyPair gateway = Ed25519.KeyPair.generate(RANDOM);
    private final byte[] nodeKey = random16();

    private static byte[] random16() {
        byte[] k = new byte[16];
        RANDOM.nextBytes(k);
        return k;
    }

    @Test
    void aMoveThatArrivesBeforeTheSubscriberIsHeldThenAppliedAndFollowedByTheSubscription() {
        DeviceKeys keys = new DeviceKeys(new InMemoryKeyStore(), Map.of(1, gateway.publicKey()), Duration.ofSeconds(30),
                Clock.systemUTC());
        keys.install(new JoinBundle(1, NODE, SET, 5, new byte[32], List.of(
                new KeyMaterial(KeyId.nodeKey(NODE), nodeKey, 5), new KeyMaterial(KeyId.setKey(SET), random16(), 5))));
        RekeyFollower follower = new RekeyFollower(keys, new AgentEvents(null));
        byte[] move = RekeyMessage.seal(new RekeyMessage.Header(RekeyMessage.Kind.NODE, 1, 6, NODE, Operation.LEAVE, 77, SET,
                random16(), List.of()), List.of(KeyUpdate.wipe(), KeyUpdate.set(NEW_SET),
                KeyUpdate.put(KeyId.setKey(NEW_SET), random16(), false)), nodeKey, gateway).encode();

        follower.onRekey(move, null, null); // no subscriber yet: must neither throw nor lose it
        assertEquals(1, follower.held());
        assertEquals(5, keys.seq(), "not applied before there is a subscription to move");

        List<List<String>> subscriptions = new ArrayList<>();
        follower.subscribe(subscriptions::add, null);
        assertEquals(0, follower.held());
        assertEquals(6, keys.seq(), "applied once subscribed");
        assertEquals(NEW_SET, keys.setId());
        assertEquals(List.of(Topics.node(NODE), Topics.set(NEW_SET)), subscriptions.get(subscriptions.size() - 1),
                "the subscription follows the move");
    }
}
