package chainkm.device.agent;

import chainkm.device.keys.DeviceKeys;
import chainkm.protocol.d2d.D2DMessage;
import chainkm.protocol.keys.KeyId;
import chainkm.protocol.keys.KeyMaterial;
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
 * <p>Receiving hands each datagram to the {@link D2DReceiver} (what is checked, in which order)
 * and passes what it accepts to the listener. Each refusal is counted, and logged at a bounded
 * rate ({@link D2DRefusals}); the {@code REFUSED_D2D} event follows the log's rate.
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
    private final D2DReceiver receiverLogic;
    private final D2DRefusals refusals = new D2DRefusals(LOG, Clock.systemUTC());
    private long nextCounter;
    private long counterLimit;

    private D2DEndpoint(DeviceAgent agent, DatagramSocket socket, ReplayWindows replay, Listener listener) {
        this.agent = agent;
        this.socket = socket;
        this.listener = listener;
        this.replay = replay;
        this.receiverLogic = new D2DReceiver(agent.keys(), new SenderIdentities(agent::memberIdentityKey,
                Clock.systemUTC()), replay, agent::catchUp);
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
        D2DReceiver.Outcome o = receiverLogic.receive(p.getData(), p.getLength());
        if (o.accepted()) {
            listener.received(o.sender(), o.payload());
            return;
        }
        // rate-limited per claimed sender (its address only for a packet that names none)
        String from = o.sender() == D2DReceiver.NO_SENDER ? p.getSocketAddress().toString() : "node " + o.sender();
        refuse(from, o.refusal(), o.reason() + " [from " + p.getSocketAddress() + "]");
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
        try {
            replay.closeExactly();
        } catch (IOException e) {
            LOG.warn("D2D replay marks not lowered on close (a restart refuses up to {} fresh messages per sender): {}",
                    ReplayWindows.K, e.getMessage());
        }
    }
}
