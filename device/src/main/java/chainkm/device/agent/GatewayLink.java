package chainkm.device.agent;

import chainkm.device.groups.GroupKeys;
import chainkm.protocol.groupkey.GroupTopics;

import chainkm.device.coap.GatewayCoapClient;
import chainkm.device.coap.GatewayResponseException;
import chainkm.device.keys.DeviceKeys;
import chainkm.device.mqtt.RekeySubscriber;
import chainkm.protocol.crypto.Ed25519;
import chainkm.protocol.identity.DeviceAuthorization;
import chainkm.protocol.ledger.RejoinChain;
import chainkm.protocol.rekey.MessageFormatException;
import chainkm.protocol.rekey.MqttCredential;
import chainkm.protocol.rekey.Rejoin;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's link to the gateway it is attached to: CoAP/DTLS with its identity key,
 * and its rekey topics on that gateway's MQTT broker. Attaches (with a catch-up), rejoins
 * another gateway when asked to move or when a watchdog finds its gateway gone (an orphan,
 * kandi2020 III.B.3), and drops and restores the connections around a sleep. What arrives on
 * the link goes to the {@link RekeyFollower}, under this object's lock.
 */
final class GatewayLink {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayLink.class);

    private final Provisioning provisioning;
    private final Path stateDir;
    private final Ed25519.KeyPair identity;
    private final byte[] storeKey;
    private final DeviceKeys keys;
    private final DeviceAgent.Options options;
    private final RekeyFollower follower;
    private final AgentEvents events;
    private final GroupKeys groups;
    // the connections: replaced under this object's lock, read without it
    private volatile GatewayCoapClient coap;
    private volatile RekeySubscriber mqtt;
    private volatile boolean closed;
    private volatile boolean sleeping;
    private volatile Attachment attachment; // null: attached to the gateway that owns its set
    private final Object rejoinLock = new Object();
    private final RejoinLinks links;
    private volatile boolean rejoining;
    private volatile long mqttDownSince;
    private volatile long lastRejoinNanos;
    private Thread watchdog;

    GatewayLink(Provisioning provisioning, Path stateDir, Ed25519.KeyPair identity, byte[] storeKey, DeviceKeys keys,
                DeviceAgent.Options options, RekeyFollower follower, AgentEvents events, GroupKeys groups) {
        this.groups = groups;
        this.provisioning = provisioning;
        this.stateDir = stateDir;
        this.identity = identity;
        this.storeKey = storeKey;
        this.keys = keys;
        this.options = options;
        this.follower = follower;
        this.events = events;
        this.links = new RejoinLinks(stateDir);
    }

    /** Attaches to the gateway of its state (after a rejoin, that one); if it does not answer, rejoins another. */
    void open() throws IOException {
        setAttachment(Attachment.load(stateDir, storeKey).orElse(null));
        try {
            attach();
        } catch (IOException e) {
            LOG.warn("gateway {} does not answer ({}): rejoining another one", attachedGateway(), e.getMessage());
            detach();
            rejoinAnywhere();
        }
    }

    /**
     * Connects to the gateway it is attached to: CoAP/DTLS with its identity key,
     * catch-up, its own MQTT credential from that gateway ({@code GET /mqtt}), MQTT over TLS.
     */
    private void attach() throws IOException {
        Provisioning.Gateway g = provisioning.gateway(attachedGateway());
        GatewayCoapClient c = attachedClient(options.gatewayTimeout());
        synchronized (this) {
            coap = c;
        }
        catchUp();
        MqttCredential login = c.mqttCredential(); // its own, from this gateway, inside DTLS
        RekeySubscriber m = RekeySubscriber.connect(g.mqttUrl(), g.mqttTlsPin(), login.user(), login.password(),
                "node-" + keys.nodeId(), (topic, message) -> {
                    if (topic.startsWith(GroupTopics.ROOT)) {
                        groups.onBroadcast(message); // public, signed: checked by GroupKeys, outside the rekey lock
                    } else {
                        onRekey(message);
                    }
                });
        m.onResubscribed(() -> {
            // the broker may have dropped what was queued for us (another client took the session)
            Thread t = new Thread(this::catchUpAfterReconnect, "catch-up-after-reconnect");
            t.setDaemon(true);
            t.start();
        });
        synchronized (this) {
            mqtt = m;
        }
        mqttDownSince = 0;
        synchronized (this) {
            follower.subscribe(topicsOf(mqtt), coap); // and applies what arrived before mqtt was set
        }
        catchUp(); // what was published between the first catch-up and the subscription
    }

    /** The follower's rekey topics, and always the broadcasts of this device's own groups. */
    private RekeyFollower.Subscription topicsOf(RekeySubscriber m) {
        return topics -> {
            java.util.List<String> all = new java.util.ArrayList<>(topics);
            all.add(groups.topicFilter());
            m.setTopics(all);
        };
    }

    /** {@code GET /group?path=P} to the gateway it is attached to (its home, normally). */
    chainkm.protocol.groupkey.DeviceGroupGrant groupGrant(String path) throws IOException {
        GatewayCoapClient c = coap;
        if (c == null) {
            throw new IOException("not attached to a gateway now");
        }
        return c.groupGrant(path);
    }

    private void setAttachment(Attachment a) {
        attachment = a;
        if (a != null) {
            keys.attachment(a.gatewayId(), a.key());
        }
    }

    /** Drops the connections to its gateway (keys stay). */
    private synchronized void detach() {
        if (mqtt != null) {
            mqtt.close();
            mqtt = null;
        }
        if (coap != null) {
            coap.close();
            coap = null;
        }
    }

    private synchronized void onRekey(byte[] message) {
        if (closed || sleeping) {
            return; // a message delivered while the agent shuts down
        }
        RekeySubscriber m = mqtt;
        follower.onRekey(message, coap, m == null ? null : topicsOf(m));
    }

    /** Fetches and applies, in order, every rekey message since this device's seq. */
    private void catchUpAfterReconnect() {
        try {
            int applied = catchUp();
            if (applied > 0) {
                LOG.info("caught up {} rekey message(s) missed while MQTT was down", applied);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("catch-up after an MQTT reconnection failed: {}", e.getMessage());
        }
    }

    synchronized int catchUp() throws IOException {
        if (coap == null && sleeping) {
            throw new IOException("the device is asleep");
        }
        RekeySubscriber m = mqtt;
        return follower.catchUp(coap, m == null ? null : topicsOf(m));
    }

    /**
     * Rejoins gateway {@code gatewayId} (kandi2020 III.B.3, with a hash-chain proof instead of
     * the hash of the secret code): over DTLS with its identity key, first a probe
     * ({@code GET /node/<id>}); only once the gateway answered it, inside that session, the next
     * link of its chain; then it gets that gateway's attachment key and attaches there. A gateway
     * that does not answer costs no link. No key of any device changes.
     */
    void rejoin(int gatewayId) throws IOException {
        rejoin(gatewayId, options.gatewayTimeout());
    }

    /**
     * As {@link #rejoin(int)}, each request within {@code timeout}: an orphan's round uses its
     * short orphan timeout, so that a round over gateways that are all away ends soon (and costs
     * no link).
     */
    private void rejoin(int gatewayId, Duration timeout) throws IOException {
        synchronized (rejoinLock) {
            rejoining = true;
            AgentListener.State before = events.state();
            events.setState(AgentListener.State.REJOINING);
            try {
                Provisioning.Gateway g = provisioning.gateway(gatewayId);
                Rejoin.Answer answer;
                try (GatewayCoapClient c = new GatewayCoapClient(g.coap(), identity, g.signingKey(), timeout)) {
                    long t0 = System.nanoTime();
                    c.setOf(keys.nodeId()); // the probe: fails (and spends nothing) when the gateway is away
                    answer = proveMembership(c, gatewayId);
                    lastRejoinNanos = System.nanoTime() - t0;
                }
                Attachment a = new Attachment(gatewayId, answer.attachmentKey());
                a.save(stateDir, storeKey);
                detach();
                setAttachment(a);
                attach();
                events.setState(sleeping ? AgentListener.State.SLEEPING : AgentListener.State.JOINED);
                LOG.info("device {} (node {}) rejoined through gateway {} at seq {}", provisioning.deviceName(),
                        keys.nodeId(), gatewayId, keys.seq());
                events.emit(AgentListener.Event.REJOINED, "node " + keys.nodeId() + " attached to gateway " + gatewayId);
            } catch (IOException | RuntimeException e) {
                events.setState(before == AgentListener.State.REJOINING ? AgentListener.State.ERROR : before);
                throw e;
            } finally {
                rejoining = false;
            }
        }
    }

    /**
     * Sends gateway {@code gatewayId}, which just answered the probe on {@code c}, the next link
     * of the chain; re-anchors instead when the chain is used up or the gateway says the link is
     * out of the ledger's window.
     */
    private Rejoin.Answer proveMembership(GatewayCoapClient c, int gatewayId) throws IOException {
        byte[] link;
        try {
            link = links.forGateway(gatewayId);
        } catch (RejoinLinks.ChainUsedUpException e) {
            LOG.warn("device {}: {}", provisioning.deviceName(), e.getMessage());
            return reanchor(c, gatewayId);
        }
        byte[] answer;
        try {
            answer = c.rejoin(new Rejoin.Request(keys.nodeId(), keys.seq(), link).encode());
        } catch (GatewayResponseException e) {
            links.settled(); // refused: that link is not sent again
            if (e.diagnostic().contains("re-anchor")) {
                LOG.warn("device {}: gateway {} finds its link out of the ledger's window ({}): re-anchoring with its "
                        + "identity key", provisioning.deviceName(), gatewayId, e.diagnostic());
                return reanchor(c, gatewayId);
            }
            throw e;
        } // no answer at all: the link stays pending for a retry with this same gateway
        links.settled();
        return answerFrom(answer, gatewayId);
    }

    /**
     * Starts a new chain: its seed is made and stored first, its anchor sent with the identity
     * key's signature ({@link DeviceAuthorization#forReanchor}); it becomes the current chain
     * once the gateway took it. "Already used" means a previous re-anchor to it was committed
     * but its answer lost: the device moves to the new chain and proves its first link.
     */
    private Rejoin.Answer reanchor(GatewayCoapClient c, int gatewayId) throws IOException {
        int node = keys.nodeId();
        byte[] anchor = RejoinChain.anchor(RejoinSeed.loadOrCreateNext(stateDir));
        DeviceAuthorization auth = DeviceAuthorization.forReanchor(provisioning.deviceName(), node, anchor, identity);
        byte[] answer;
        try {
            answer = c.rejoin(new Rejoin.Reanchor(node, keys.seq(), anchor, auth.signature()).encode());
        } catch (GatewayResponseException e) {
            if (!e.diagnostic().contains("already used") && !e.diagnostic().contains("SECRET_HASH_REUSED")) {
                throw e;
            }
            RejoinSeed.promoteNext(stateDir);
            links.restart();
            LOG.info("device {}: its re-anchor was committed before; rejoining on the new chain", provisioning.deviceName());
            answer = c.rejoin(new Rejoin.Request(node, keys.seq(), links.forGateway(gatewayId)).encode());
            links.settled();
            return answerFrom(answer, gatewayId);
        }
        RejoinSeed.promoteNext(stateDir);
        links.restart();
        LOG.info("device {} (node {}) re-anchored its rejoin chain through gateway {}", provisioning.deviceName(), node,
                gatewayId);
        return answerFrom(answer, gatewayId);
    }

    private Rejoin.Answer answerFrom(byte[] bytes, int gatewayId) throws IOException {
        Rejoin.Answer answer;
        try {
            answer = Rejoin.Answer.decode(bytes);
        } catch (MessageFormatException e) {
            throw new IOException("gateway " + gatewayId + " sent a malformed rejoin answer: " + e.getMessage());
        }
        if (answer.gatewayId() != gatewayId || answer.nodeId() != keys.nodeId()) {
            throw new IOException("gateway " + gatewayId + " answered the rejoin as gateway " + answer.gatewayId()
                    + " for node " + answer.nodeId());
        }
        return answer;
    }

    /**
     * Its gateway is gone: one round over the gateways of its bundle. First its own gateway (the
     * one it is attached to), which it simply reattaches to if it answers again (no link spent);
     * then the others, starting after it in id order (so orphans of one gateway meet at its
     * successor, the gateway that adopts its sets if it is removed), until one takes it. After a
     * failed round the watchdog starts the next one, again with its own gateway first.
     */
    private void rejoinAnywhere() throws IOException {
        int lost = attachedGateway();
        events.emit(AgentListener.Event.GATEWAY_LOST, "gateway " + lost + " does not answer");
        if (returnToOwnGateway()) {
            return;
        }
        // in id order, as the ledger picks the gateway that adopts a removed one's sets
        List<Provisioning.Gateway> all = provisioning.gateways().stream()
                .sorted(Comparator.comparingInt(Provisioning.Gateway::id)).toList();
        int start = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id() == lost) {
                start = i + 1;
            }
        }
        IOException last = null;
        for (int i = 0; i < all.size(); i++) {
            Provisioning.Gateway g = all.get((start + i) % all.size());
            if (g.id() == lost) {
                continue;
            }
            try {
                rejoin(g.id(), options.orphanAfter().compareTo(options.gatewayTimeout()) < 0 ? options.orphanAfter()
                        : options.gatewayTimeout());
                return;
            } catch (IOException e) {
                LOG.warn("rejoin through gateway {} failed: {}", g.id(), e.getMessage());
                last = e;
            }
        }
        events.setState(AgentListener.State.ERROR);
        throw new IOException("no gateway took the rejoin", last);
    }

    /** Reattaches to the gateway it is attached to on the ledger if that one answers again; true if so. */
    private boolean returnToOwnGateway() {
        int own = attachedGateway();
        String gone = gatewayGone();
        if (gone != null) {
            return false;
        }
        try {
            detach();
            attach();
        } catch (IOException e) {
            LOG.warn("gateway {} answers but attaching failed: {}", own, e.getMessage());
            detach();
            return false;
        }
        events.setState(sleeping ? AgentListener.State.SLEEPING : AgentListener.State.JOINED);
        LOG.info("device {} (node {}) is back at its gateway {} at seq {} (no link spent)", provisioning.deviceName(),
                keys.nodeId(), own, keys.seq());
        events.emit(AgentListener.Event.RETURNED, "node " + keys.nodeId() + " back at gateway " + own);
        return true;
    }

    /**
     * Null if the gateway it is attached to answers a CoAP request within orphanAfter, else why
     * not. A probe of its own, with that short timeout: the agent's client may wait long for a join.
     */
    private String gatewayGone() {
        try (GatewayCoapClient probe = attachedClient(options.orphanAfter())) {
            probe.setOf(keys.nodeId());
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** A CoAP/DTLS client for the gateway it is attached to, authenticated with the identity key. */
    private GatewayCoapClient attachedClient(Duration timeout) {
        Provisioning.Gateway g = provisioning.gateway(attachedGateway());
        return new GatewayCoapClient(g.coap(), identity, g.signingKey(), timeout);
    }

    /** Watches its gateway: MQTT down for longer than orphanAfter and no CoAP answer means it is gone. */
    void startWatchdog() {
        watchdog = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(500);
                    checkGateway();
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("device {}: {}", provisioning.deviceName(), e.getMessage());
                }
            }
        }, "gateway-watch-" + provisioning.deviceName());
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void checkGateway() throws IOException {
        if (closed || sleeping || rejoining) {
            mqttDownSince = 0;
            return;
        }
        RekeySubscriber m = mqtt;
        if (m != null && m.isConnected()) {
            mqttDownSince = 0;
            return;
        }
        long now = System.nanoTime();
        if (mqttDownSince == 0) {
            mqttDownSince = now;
            return;
        }
        if (now - mqttDownSince < options.orphanAfter().toNanos()) {
            return;
        }
        String why = gatewayGone();
        if (why == null) {
            mqttDownSince = now;
            if (m == null && !sleeping && !closed) {
                // detached after a failed round, and its gateway is back: return to it
                returnToOwnGateway();
            }
            return; // else the gateway answers and only its broker is down: wait on
        }
        LOG.warn("device {}: gateway {} is gone (MQTT down for {} s, CoAP: {})", provisioning.deviceName(),
                attachedGateway(), options.orphanAfter().toSeconds(), why);
        if (closed || sleeping) {
            return;
        }
        detach();
        rejoinAnywhere();
    }

    /** Drops the MQTT and CoAP connections (the keys stay in the store); {@link #wake()} restores them. */
    synchronized void sleep() {
        if (sleeping) {
            return;
        }
        sleeping = true;
        detach();
        LOG.info("device {} sleeps at seq {}", provisioning.deviceName(), keys.seq());
        events.setState(AgentListener.State.SLEEPING);
        events.emit(AgentListener.Event.SLEPT, "at seq " + keys.seq());
    }

    /** Reconnects, fetches everything missed since its last seq, applies it in order, resubscribes. */
    void wake() throws IOException {
        synchronized (this) {
            if (!sleeping) {
                return;
            }
            sleeping = false;
        }
        long before = keys.seq();
        try {
            String gone = gatewayGone();
            if (gone != null) {
                throw new IOException(gone);
            }
            attach();
        } catch (IOException e) {
            LOG.warn("gateway {} does not answer after sleep ({}): rejoining another one", attachedGateway(), e.getMessage());
            detach();
            rejoinAnywhere();
        }
        LOG.info("device {} woke: caught up from seq {} to {}", provisioning.deviceName(), before, keys.seq());
        events.setState(AgentListener.State.JOINED);
        events.emit(AgentListener.Event.WOKE, "caught up from seq " + before + " to " + keys.seq());
    }

    boolean sleeping() {
        return sleeping;
    }

    /** Rejoins {@code gateway}, after a last catch-up from the one it leaves. */
    void moveTo(int gateway) throws IOException {
        if (gateway == attachedGateway()) {
            return;
        }
        provisioning.gateway(gateway); // fails for a gateway not in its bundle
        int from = attachedGateway();
        try {
            catchUp(); // leave the old gateway with everything it has for us
        } catch (IOException e) {
            LOG.info("no final catch-up from gateway {} before moving: {}", from, e.getMessage());
        }
        rejoin(gateway);
        events.emit(AgentListener.Event.MOVED, "from gateway " + from + " to gateway " + gateway);
    }

    /** How long the last {@code POST /rejoin} took, DTLS handshake included. */
    Duration lastRejoinTime() {
        return Duration.ofNanos(lastRejoinNanos);
    }

    /** The gateway this device is attached to now (its owner gateway until it rejoins elsewhere). */
    int attachedGateway() {
        Attachment a = attachment;
        return a != null ? a.gatewayId() : keys.gatewayId();
    }

    /** The CoAP client of its gateway; null while asleep or between gateways. */
    GatewayCoapClient coap() {
        return coap;
    }

    /** As {@link #coap()}, but fails once the link is closed. */
    synchronized GatewayCoapClient coapUnlessClosed() throws IOException {
        if (closed) {
            throw new IOException("the agent is closed");
        }
        return coap;
    }

    /** Stops following its gateway: no failover from now on. */
    void stopWatching() {
        synchronized (this) {
            closed = true;
        }
        if (watchdog != null) {
            watchdog.interrupt();
        }
    }

    /** Closes the connections and wipes its copy of the store key; after {@link #stopWatching()}. */
    void close() {
        java.util.Arrays.fill(storeKey, (byte) 0);
        if (mqtt != null) {
            mqtt.close();
        }
        if (coap != null) {
            coap.close();
        }
    }
}
