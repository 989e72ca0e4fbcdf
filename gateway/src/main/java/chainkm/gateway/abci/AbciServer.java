package chainkm.gateway.abci;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ABCI socket server CometBFT's {@code proxy_app} connects to. CometBFT opens four
 * connections (consensus, mempool, query, snapshot); each is served by its own daemon thread
 * named {@code abci-<listen address>-<n>}, so the application is called concurrently from
 * up to four threads. {@link #close()} stops it.
 *
 * <p>A gateway listens with {@link #startUnix}: a unix domain socket, mode 0600, in a directory
 * only its owner may enter, so that no other local user can reach the application (one
 * FinalizeBlock and Commit from anyone would wedge the validator). {@link #startTcp} is for tests.
 */
public final class AbciServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AbciServer.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private final ServerSocketChannel listener;
    private final SocketAddress address;
    private final AbciDispatcher dispatcher;
    private final int maxFrameBytes;
    private final Thread acceptThread;
    /** Open connections and their threads, in accept order; guarded by {@code this}. */
    private final Map<AbciConnection, Thread> connections = new LinkedHashMap<>();
    private int accepted;
    private boolean closed;

    private AbciServer(ServerSocketChannel listener, AbciApplication app, int maxFrameBytes)
            throws IOException {
        this.listener = listener;
        this.address = listener.getLocalAddress();
        this.dispatcher = new AbciDispatcher(app);
        this.maxFrameBytes = maxFrameBytes;
        this.acceptThread = new Thread(this::acceptLoop, "abci-accept-" + label());
        this.acceptThread.setDaemon(true);
    }

    /** Listens on 127.0.0.1 at {@code port}, or on an ephemeral port if it is 0. */
    public static AbciServer startTcp(AbciApplication app, int port) throws IOException {
        return startTcp(app, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Listens on a TCP address. */
    public static AbciServer startTcp(AbciApplication app, InetSocketAddress address) throws IOException {
        Objects.requireNonNull(app, "app");
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return start(listener, app);
    }

    /**
     * Listens on a unix domain socket at {@code socketFile}, made owner-only (0600). Its
     * directory must already be owner-only (0700): it keeps others out from the bind on, before
     * the file's own mode is set. A stale socket left by an earlier run (a kill -9) is removed;
     * a socket that a running process still answers on, or any other file there, makes this fail.
     * The file is deleted on close.
     */
    public static AbciServer startUnix(AbciApplication app, Path socketFile) throws IOException {
        Objects.requireNonNull(app, "app");
        Path file = socketFile.toAbsolutePath();
        UnixSockets.requireOwnerOnlyDirectory(file.getParent());
        UnixSockets.removeStale(file);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixSockets.address(file));
            Files.setPosixFilePermissions(file, UnixSockets.SOCKET_MODE);
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(file);
            throw e;
        }
        return start(listener, app);
    }

    private static AbciServer start(ServerSocketChannel listener, AbciApplication app) throws IOException {
        AbciServer server = new AbciServer(listener, app, AbciFrames.DEFAULT_MAX_FRAME_BYTES);
        server.acceptThread.start();
        LOG.info("ABCI server listening on {}", server.proxyAppAddress());
        return server;
    }

    /** The bound address: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
    public SocketAddress address() {
        return address;
    }

    /** The bound TCP port (useful after binding port 0). */
    public int port() {
        if (!(address instanceof InetSocketAddress)) {
            throw new IllegalStateException("not a TCP server: " + address);
        }
        return ((InetSocketAddress) address).getPort();
    }

    /** The address in CometBFT's {@code proxy_app} syntax: {@code tcp://host:port} or {@code unix:///path}. */
    public String proxyAppAddress() {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return "tcp://" + inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return "unix://" + ((UnixDomainSocketAddress) address).getPath();
    }

    /** How many connections are open now. */
    public synchronized int connectionCount() {
        return connections.size();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private String label() {
        if (address instanceof InetSocketAddress) {
            return Integer.toString(((InetSocketAddress) address).getPort());
        }
        return ((UnixDomainSocketAddress) address).getPath().getFileName().toString();
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException e) {
                return; // close() closed the listener
            } catch (IOException e) {
                if (isClosed()) {
                    return;
                }
                LOG.error("ABCI server on {}: accept failed", proxyAppAddress(), e);
                if (!pause()) {
                    return;
                }
                continue;
            }
            register(channel);
        }
    }

    private void register(SocketChannel channel) {
        synchronized (this) {
            if (!closed) {
                int n = ++accepted;
                String name = label() + "-" + n;
                AbciConnection connection =
                        new AbciConnection(name, channel, dispatcher, maxFrameBytes, this::unregister);
                Thread thread = new Thread(connection, "abci-" + name);
                thread.setDaemon(true);
                connections.put(connection, thread);
                configure(channel);
                LOG.info("ABCI connection {} accepted from {}", name, remote(channel));
                thread.start();
                return;
            }
        }
        closeQuietly(channel);
    }

    private synchronized void unregister(AbciConnection connection) {
        connections.remove(connection);
    }

    private static void configure(SocketChannel channel) {
        try {
            if (channel.getLocalAddress() instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            LOG.debug("cannot set TCP_NODELAY: {}", e.toString());
        }
    }

    private static Object remote(SocketChannel channel) {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            return remote instanceof InetSocketAddress ? remote : "a local process";
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops accepting, closes every connection and waits (a few seconds at most) for the
     * threads to end. A thread still inside an application call is left to finish it. Does
     * nothing the second time.
     */
    @Override
    public void close() {
        List<AbciConnection> open;
        List<Thread> threads = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(connections.keySet());
            threads.addAll(connections.values());
        }
        closeQuietly(listener);
        open.forEach(AbciConnection::close);
        threads.add(0, acceptThread);
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        for (Thread thread : threads) {
            if (thread == Thread.currentThread()) {
                continue;
            }
            try {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (thread.isAlive()) {
                LOG.warn("ABCI thread {} still running after close (inside the application?)", thread.getName());
            }
        }
        if (address instanceof UnixDomainSocketAddress) {
            try {
                Files.deleteIfExists(((UnixDomainSocketAddress) address).getPath());
            } catch (IOException e) {
                LOG.warn("cannot delete ABCI socket file {}: {}", address, e.toString());
            }
        }
        LOG.info("ABCI server on {} closed", proxyAppAddress());
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("error closing {}: {}", channel, e.toString());
        }
    }
}
