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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * D2D messaging over UDP: each datagram is one {@link D2DMessage}. Sending draws the nonce
 * counter from a block reserved durably in the key store (so a reboot never reuses one);
 * receiving refuses, with a log line, anything malformed, oversized, not for this device, under
 * a key it does not hold at that seq, failing authentication, or replayed.
 */
public final class D2DEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(D2DEndpoint.class);
    private static final String COUNTER = "d2d-nonce";
    private static final int RESERVE = 256;
    private static final int WINDOW = 64;

    /** Gets each authenticated message (sender node id, payload). */
    public interface Listener {
        void received(int sender, byte[] payload);
    }

    private final DeviceAgent agent;
    private final DatagramSocket socket;
    private final Listener listener;
    private final Thread receiver;
    private final AtomicLong refused = new AtomicLong();
    private final Map<Integer, long[]> replay = new HashMap<>();
    private long nextCounter;
    private long lastCatchUp = System.nanoTime() - 2_000_000_000L;
    private long counterLimit;

    private D2DEndpoint(DeviceAgent agent, DatagramSocket socket, Listener listener) {
        this.agent = agent;
        this.socket = socket;
        this.listener = listener;
        this.receiver = new Thread(this::receiveLoop, "d2d-" + socket.getLocalPort());
        receiver.setDaemon(true);
    }

    static D2DEndpoint open(InetSocketAddress bind, DeviceAgent agent, Listener listener) throws IOException {
        D2DEndpoint e = new D2DEndpoint(agent, new DatagramSocket(bind), listener);
        e.receiver.start();
        return e;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public long refused() {
        return refused.get();
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
            byte[] packet = D2DMessage.seal(keys.nodeId(), peerNode, id, key.seq(), counter(), k, payload).encode();
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
                refuse(p, "internal error " + e);
            }
        }
    }

    private void handle(DatagramPacket p) {
        D2DMessage m;
        try {
            m = D2DMessage.decode(p.getData(), p.getLength());
        } catch (MessageFormatException e) {
            refuse(p, e.getMessage());
            return;
        }
        DeviceKeys keys = agent.keys();
        int me = keys.nodeId();
        if (m.receiver() != me) {
            refuse(p, "message for node " + m.receiver());
            return;
        }
        KeyId id = m.keyId();
        boolean mine = id.kind() == KeyKind.PAIRWISE_NODE_KEY ? id.involvesNode(me) && id.involvesNode(m.sender())
                : id.involvesSet(keys.setId());
        if (!mine) {
            refuse(p, "key " + id + " is not one of this device's links with node " + m.sender());
            return;
        }
        byte[] payload = open(m, keys);
        if (payload == null && m.keySeq() > keys.seq() && mayCatchUp()) {
            // the sender already has a newer key: this device is behind (a rekey message still on its way)
            try {
                agent.catchUp();
            } catch (IOException e) {
                LOG.info("catch-up on a message from a newer seq failed: {}", e.getMessage());
            }
            payload = open(m, keys);
        }
        if (payload == null && keys.candidates(id, m.keySeq()).isEmpty()) {
            refuse(p, "no key " + id + " (revoked or unknown)");
            return;
        }
        if (payload == null) {
            refuse(p, "message from node " + m.sender() + " fails authentication under " + id + " (seq "
                    + m.keySeq() + "): tampered, or under a key this device no longer accepts");
            return;
        }
        if (!fresh(m.sender(), m.counter())) {
            refuse(p, "replayed message from node " + m.sender() + " (counter " + m.counter() + ")");
            return;
        }
        listener.received(m.sender(), payload);
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

    /** A sliding window per sender: accepts each counter once. */
    private synchronized boolean fresh(int sender, long counter) {
        long[] w = replay.computeIfAbsent(sender, s -> new long[] {-1, 0});
        long highest = w[0];
        if (counter > highest) {
            long shift = counter - highest;
            w[1] = shift >= WINDOW ? 1 : (w[1] << shift) | 1;
            w[0] = counter;
            return true;
        }
        long age = highest - counter;
        if (age >= WINDOW || (w[1] & (1L << age)) != 0) {
            return false;
        }
        w[1] |= 1L << age;
        return true;
    }

    private void refuse(DatagramPacket p, String why) {
        refused.incrementAndGet();
        LOG.warn("D2D packet from {} refused: {}", p.getSocketAddress(), why);
        agent.emit(AgentListener.Event.REFUSED_D2D, "from " + p.getSocketAddress() + ": " + why);
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
