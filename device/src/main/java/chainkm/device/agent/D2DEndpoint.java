package chainkm.device.agent;

import chainkm.device.keys.DeviceKeys;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.AuthenticationException;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyKind;
import chainkm.protocol.keys.KeyMaterial;
import chainkm.protocol.rekey.MessageFormatException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * D2D messaging over UDP: each datagram is one {@link D2DMessage} (version 2). Sending draws the
 * nonce counter from a block reserved durably in the key store (so a reboot never reuses one)
 * and, under a pairwise set key, signs with the device's identity key.
 *
 * <p>Receiving checks, in this order, and refuses at the first failure: the packet decodes, is
 * for this device, under one of its links with the claimed sender and a key value it holds (or,
 * signed, a newer one); under a pairwise set key, the claimed sender's signature verifies with
 * the identity key its gateway reports for that node; the AES-CCM tag verifies; the counter is
 * fresh in the durable window of (key, key seq, sender) ({@link ReplayWindows}). So nothing
 * unauthenticated moves a window, asks the gateway for a catch-up, or reaches the listener; and
 * an identity look-up happens only for a packet that got that far ({@link SenderIdentities}
 * bounds them). Each refusal is counted, and logged at a bounded rate ({@link D2DRefusals}).
 */
public final class D2DEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(D2DEndpoint.class);
    private static final String COUNTER = "d2d-nonce";
    private static final int RESERVE = 256;

    /** Gets each authenticated message (sender node id, payload). */
    public interface Listener {
        void received(int sender, byte[] payload);
    }

    private final DeviceAgent agent;
    private final DatagramSocket socket;
    private final Listener listener;
    private final Thread receiver;
    private final AtomicLong refused = new AtomicLong();
    private final ReplayWindows replay;
    private final SenderIdentities senders;
    private final D2DRefusals refusals = new D2DRefusals(LOG, Clock.systemUTC());
    private long nextCounter;
    private long lastCatchUp = System.nanoTime() - 2_000_000_000L;
    private long counterLimit;

    private D2DEndpoint(DeviceAgent agent, DatagramSocket socket, ReplayWindows replay, Listener listener) {
        this.agent = agent;
        this.socket = socket;
        this.listener = listener;
        this.replay = replay;
        this.senders = new SenderIdentities(agent::memberIdentityKey, Clock.systemUTC());
        DeviceKeys keys = agent.keys();
        replay.pruneWith((id, seq) -> !keys.candidates(id, seq).isEmpty());
        this.receiver = new Thread(this::receiveLoop, "d2d-" + socket.getLocalPort());
        receiver.setDaemon(true);
    }

    static D2DEndpoint open(InetSocketAddress bind, DeviceAgent agent, Path stateDir, Listener listener)
            throws IOException {
        ReplayWindows replay = ReplayWindows.open(stateDir);
        D2DEndpoint e = new D2DEndpoint(agent, new DatagramSocket(bind), replay, listener);
        e.receiver.start();
        return e;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public long refused() {
        return refused.get();
    }

    /** How many times the replay marks were written since start (for tests and the bench). */
    long replayWrites() {
        return replay.writes();
    }

    private synchronized long counter() {
        if (nextCounter >= counterLimit) {
            nextCounter = agent.store().nextNonceCounter(COUNTER, RESERVE);
            counterLimit = nextCounter + RESERVE;
        }
        return nextCounter++;
    }

    void send(int peerNode, int peerSet, InetSocketAddress to, byte[] payload) throws IOException {
        DeviceKeys keys = agent.keys();
        KeyId id = keys.keyIdForPeer(peerNode, peerSet);
        KeyMaterial key = keys.current(id).orElseThrow(() -> new IOException("no key " + id + " for node " + peerNode));
        byte[] k = key.key();
        try {
            byte[] packet = D2DMessage.seal(keys.nodeId(), peerNode, id, key.seq(), counter(), k, payload,
                    agent.identity()).encode();
            socket.send(new DatagramPacket(packet, packet.length, to));
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[D2DMessage.MAX_SIZE + 1];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                LOG.warn("D2D receive failed: {}", e.toString());
                continue;
            }
            try {
                handle(p);
            } catch (RuntimeException e) {
                refuse(p.getSocketAddress().toString(), D2DRefusals.Kind.STATE_ERROR, "internal error " + e);
            }
        }
    }

    private void handle(DatagramPacket p) {
        D2DMessage m;
        try {
            m = D2DMessage.decode(p.getData(), p.getLength());
        } catch (MessageFormatException e) {
            refuse(p.getSocketAddress().toString(), formatKind(p), e.getMessage());
            return;
        }
        String from = "node " + m.sender() + " at " + p.getSocketAddress();
        DeviceKeys keys = agent.keys();
        int me = keys.nodeId();
        if (m.receiver() != me) {
            refuse(from, D2DRefusals.Kind.NOT_FOR_THIS_DEVICE, "message for node " + m.receiver());
            return;
        }
        KeyId id = m.keyId();
        boolean mine = m.sender() != me && (id.kind() == KeyKind.PAIRWISE_NODE_KEY
                ? id.involvesNode(me) && id.involvesNode(m.sender())
                : id.involvesSet(keys.setId()));
        if (!mine) {
            refuse(from, D2DRefusals.Kind.NOT_ITS_KEY, "key " + id + " is not one of this device's links with node "
                    + m.sender());
            return;
        }
        boolean held = !keys.candidates(id, m.keySeq()).isEmpty();
        // a signed message may come under a newer value of the key: once its signature holds, it may
        // ask for a catch-up; an unsigned one (pairwise node key) cannot be authenticated without it
        if (!held && !(m.isSigned() && m.keySeq() > keys.seq())) {
            refuse(from, D2DRefusals.Kind.NO_KEY, "no key " + id + " at seq " + m.keySeq() + " (revoked or unknown)");
            return;
        }
        if (m.isSigned()) {
            SenderIdentities.Lookup sender = senders.lookup(m.sender());
            if (!sender.known()) {
                refuse(from, D2DRefusals.Kind.UNKNOWN_SENDER, "signed message, but " + sender.missing());
                return;
            }
            if (!m.signatureValid(sender.key())) {
                refuse(from, D2DRefusals.Kind.BAD_SIGNATURE, "signature is not node " + m.sender()
                        + "'s under " + id + ": a holder of the set key claiming another sender, or tampered");
                return;
            }
        }
        byte[] payload = open(m, keys);
        if (payload == null && m.isSigned() && m.keySeq() > keys.seq() && mayCatchUp()) {
            // a member really sent it under a newer key: this device is behind (a rekey message still on its way)
            try {
                agent.catchUp();
            } catch (IOException e) {
                LOG.info("catch-up on a message from a newer seq failed: {}", e.getMessage());
            }
            payload = open(m, keys);
        }
        if (payload == null) {
            if (keys.candidates(id, m.keySeq()).isEmpty()) {
                refuse(from, D2DRefusals.Kind.NO_KEY, "no key " + id + " at seq " + m.keySeq() + " (revoked or unknown)");
            } else {
                refuse(from, D2DRefusals.Kind.BAD_TAG, "message fails authentication under " + id + " (seq "
                        + m.keySeq() + "): tampered, or under a key this device no longer accepts");
            }
            return;
        }
        boolean fresh;
        try {
            fresh = replay.accept(id, m.keySeq(), m.sender(), m.counter());
        } catch (IOException e) {
            refuse(from, D2DRefusals.Kind.STATE_ERROR, "cannot record it in the replay marks: " + e.getMessage());
            return;
        }
        if (!fresh) {
            refuse(from, D2DRefusals.Kind.REPLAYED, "replayed message (counter " + m.counter() + " under " + id
                    + ", at or below what this device accepted or recorded before a restart)");
            return;
        }
        listener.received(m.sender(), payload);
    }

    private static D2DRefusals.Kind formatKind(DatagramPacket p) {
        if (p.getLength() > D2DMessage.MAX_SIZE) {
            return D2DRefusals.Kind.OVERSIZED;
        }
        int version = p.getLength() == 0 ? -1 : p.getData()[p.getOffset()];
        if (version == D2DMessage.VERSION_1) {
            return D2DRefusals.Kind.OLD_VERSION;
        }
        return version == D2DMessage.VERSION ? D2DRefusals.Kind.MALFORMED : D2DRefusals.Kind.UNKNOWN_VERSION;
    }

    /** The payload, if the message opens under the current or (in its grace period) previous value of its key. */
    private static byte[] open(D2DMessage m, DeviceKeys keys) {
        for (KeyMaterial candidate : keys.candidates(m.keyId(), m.keySeq())) {
            byte[] k = candidate.key();
            try {
                return m.open(k);
            } catch (AuthenticationException e) {
                // not under this value: try the next one, if any
            } finally {
                java.util.Arrays.fill(k, (byte) 0);
            }
        }
        return null;
    }

    /** At most one catch-up a second triggered by incoming messages (a forged seq must not make a flood of them). */
    private synchronized boolean mayCatchUp() {
        long now = System.nanoTime();
        if (now - lastCatchUp < 1_000_000_000L) {
            return false;
        }
        lastCatchUp = now;
        return true;
    }

    private void refuse(String from, D2DRefusals.Kind kind, String why) {
        refused.incrementAndGet();
        // the event goes out at the log's bounded rate too: listeners (the Pi's agent) log every event
        if (refusals.refused(from, kind, why)) {
            agent.emit(AgentListener.Event.REFUSED_D2D, "from " + from + ": " + why);
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
