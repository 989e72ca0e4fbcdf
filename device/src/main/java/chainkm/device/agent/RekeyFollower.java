package chainkm.device.agent;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.keys.DeviceKeys;
import chainkm.device.mqtt.RekeySubscriber;
import java.util.ArrayDeque;
import chainkm.protocol.rekey.Topics;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the ledger's rekeying on the device: applies each message of its node and set topics
 * in ledger order, fetches over CoAP ({@code /catchup}) whatever it missed, and moves its
 * subscription when Reorder or an adoption puts it in another set.
 *
 * <p>It holds no connection of its own: the {@link GatewayLink} passes its current CoAP client
 * and MQTT subscriber, and calls these methods under its lock, so that a message, a catch-up and
 * a change of gateway never interleave.
 */
final class RekeyFollower {
    private static final Logger LOG = LoggerFactory.getLogger(RekeyFollower.class);

    /** Messages held until a subscription exists: more than a burst means a catch-up fetches the rest anyway. */
    static final int MAX_HELD = 64;

    /** Where the follower's topics are subscribed: the agent's {@link RekeySubscriber}. */
    interface Subscription {
        void setTopics(List<String> topics);
    }

    private final DeviceKeys keys;
    private final AgentEvents events;
    private volatile int subscribedSet;
    /**
     * Messages that arrived before the agent had its subscriber (a broker delivers a persistent
     * session's queue as soon as it connects, before {@code connect} has returned): applying one
     * then that moves the device's set could not move its subscription, and it used to be
     * acknowledged and lost. They wait here and are applied once there is a subscription.
     */
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();

    RekeyFollower(DeviceKeys keys, AgentEvents events) {
        this.keys = keys;
        this.events = events;
    }

    /**
     * Subscribes {@code mqtt} to this device's node topic and its current set's topic, then
     * applies the messages held while there was no subscription.
     */
    void subscribe(Subscription mqtt, GatewayCoapClient coap) {
        resubscribe(mqtt);
        while (!held.isEmpty()) {
            onRekey(held.poll(), coap, mqtt);
        }
    }

    private void resubscribe(Subscription mqtt) {
        subscribedSet = keys.setId();
        mqtt.setTopics(List.of(Topics.node(keys.nodeId()), Topics.set(subscribedSet)));
    }

    /**
     * A message from its topics: applied if it is the next one; a gap is filled from {@code coap}.
     * Held if there is no subscription yet ({@code mqtt} null), see {@link #subscribe}.
     */
    void onRekey(byte[] message, GatewayCoapClient coap, Subscription mqtt) {
        if (mqtt == null) {
            if (held.size() == MAX_HELD) {
                held.poll();
                LOG.warn("more than {} rekey messages before the subscription: the oldest is dropped, the catch-up "
                        + "fetches it", MAX_HELD);
            }
            held.add(message.clone());
            return;
        }
        DeviceKeys.Result r = keys.apply(message);
        if (r.outcome() == DeviceKeys.Outcome.APPLIED) {
            events.emit(AgentListener.Event.REKEYED, "seq " + keys.seq());
        }
        if (r.outcome() == DeviceKeys.Outcome.GAP) {
            LOG.info("missed rekey messages ({}): fetching them from the gateway", r.reason());
            try {
                catchUp(coap, mqtt);
            } catch (IOException e) {
                LOG.warn("catch-up failed, will retry with the next message: {}", e.getMessage());
            }
        }
        if (keys.setId() != subscribedSet) {
            resubscribe(mqtt);
        }
    }

    /** How many messages wait for a subscription. */
    int held() {
        return held.size();
    }

    /**
     * Fetches from {@code coap} and applies, in order, every rekey message since this device's
     * seq, as one durable write ({@link DeviceKeys#applyAll}); resubscribes {@code mqtt} (if
     * connected yet) when its set changed. The count applied.
     */
    int catchUp(GatewayCoapClient coap, Subscription mqtt) throws IOException {
        if (coap == null) {
            throw new IOException("the device is not attached to a gateway right now");
        }
        int applied = 0;
        for (DeviceKeys.Result r : keys.applyAll(coap.catchUp(keys.seq()))) {
            if (r.outcome() == DeviceKeys.Outcome.APPLIED) {
                applied++;
            } else if (r.outcome() == DeviceKeys.Outcome.REFUSED) {
                throw new IOException("catch-up message refused: " + r.reason());
            }
        }
        if (mqtt != null && keys.setId() != subscribedSet) {
            resubscribe(mqtt);
        }
        if (applied > 0) {
            events.emit(AgentListener.Event.CAUGHT_UP, applied + " messages, now at seq " + keys.seq());
        }
        return applied;
    }
}
