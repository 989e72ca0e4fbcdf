package chainkm.gateway.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks an ephemeral port that is free right now (the caller binds it soon after). */
final class FreePort {

    private FreePort() {}

    /** The listener address for {@code bind}: resolved, and with a free port if it asks for port 0. */
    static java.net.InetSocketAddress resolve(java.net.InetSocketAddress bind) throws IOException {
        InetAddress address = bind.isUnresolved() ? InetAddress.getByName(bind.getHostString()) : bind.getAddress();
        return new java.net.InetSocketAddress(address, bind.getPort() == 0 ? pick(address) : bind.getPort());
    }

    static int pick(InetAddress address) {
        try (ServerSocket socket = new ServerSocket(0, 1, address)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + address, e);
        }
    }
}
