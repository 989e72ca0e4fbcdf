package chainkm.device.agent;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.keys.DeviceKeys;
import chainkm.device.mqtt.RekeySubscriber;
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

    private final DeviceKeys keys;
    private final AgentEvents events;
    private volatile int subscribedSet;

    RekeyFollower(DeviceKeys keys, AgentEvents events) {
        this.keys = keys;
        this.events = events;
    }

    /** Subscribes {@code mqtt} to this device's node topic and its current set's topic. */
    void subscribe(RekeySubscriber mqtt) {
        subscribedSet = keys.setId();
        mqtt.setTopics(List.of(Topics.node(keys.nodeId()), Topics.set(subscribedSet)));
    }

    /** A message from its topics: applied if it is the next one; a gap is filled from {@code coap}. */
    void onRekey(byte[] message, GatewayCoapClient coap, RekeySubscriber mqtt) {
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
            subscribe(mqtt);
        }
    }

    /**
     * Fetches from {@code coap} and applies, in order, every rekey message since this device's
     * seq; resubscribes {@code mqtt} (if connected yet) when its set changed. The count applied.
     */
    int catchUp(GatewayCoapClient coap, RekeySubscriber mqtt) throws IOException {
        if (coap == null) {
            throw new IOException("the device is not attached to a gateway right now");
        }
        int applied = 0;
        for (byte[] m : coap.catchUp(keys.seq())) {
            DeviceKeys.Result r = keys.apply(m);
            if (r.outcome() == DeviceKeys.Outcome.APPLIED) {
                applied++;
            } else if (r.outcome() == DeviceKeys.Outcome.REFUSED) {
                throw new IOException("catch-up message refused: " + r.reason());
            }
        }
        if (mqtt != null && keys.setId() != subscribedSet) {
            subscribe(mqtt);
        }
        if (applied > 0) {
            events.emit(AgentListener.Event.CAUGHT_UP, applied + " messages, now at seq " + keys.seq());
        }
        return applied;
    }
}
