package chainkm.gateway.abci;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import tendermint.abci.Types.Request;
import tendermint.abci.Types.Response;

/**
 * One CometBFT connection, served by one thread: read a request, answer it, write the
 * response, in request order. Responses are buffered and flushed on a Flush request, after
 * an exception, and whenever no further request is already buffered (so a client that
 * forgets to Flush is not left waiting). Ends on end of stream, on a malformed frame or an
 * unknown request, or when the server closes it.
 */
final class AbciConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(AbciConnection.class);
    private static final int BUFFER_BYTES = 64 * 1024;

    private final String name;
    private final SocketChannel channel;
    private final AbciDispatcher dispatcher;
    private final int maxFrameBytes;
    private final Consumer<AbciConnection> onEnd;
    private volatile boolean closing;

    AbciConnection(String name, SocketChannel channel, AbciDispatcher dispatcher,
            int maxFrameBytes, Consumer<AbciConnection> onEnd) {
        this.name = name;
        this.channel = channel;
        this.dispatcher = dispatcher;
        this.maxFrameBytes = maxFrameBytes;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try (InputStream in = new BufferedInputStream(Channels.newInputStream(channel), BUFFER_BYTES);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES)) {
            serve(in, out);
        } catch (AbciFrames.MalformedFrameException e) {
            LOG.warn("ABCI {}: malformed frame, closing the connection: {}", name, e.getMessage());
        } catch (AbciDispatcher.UnknownRequestException e) {
            LOG.warn("ABCI {}: {}, closing the connection", name, e.getMessage());
        } catch (ClosedChannelException e) {
            // includes AsynchronousCloseException: closed by close() or while the peer left
            LOG.debug("ABCI {}: channel closed", name);
        } catch (IOException e) {
            if (closing) {
                LOG.debug("ABCI {}: closed during I/O: {}", name, e.toString());
            } else {
                LOG.warn("ABCI {}: I/O error, closing the connection: {}", name, e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("ABCI {}: unexpected failure, closing the connection", name, e);
        } finally {
            close();
            onEnd.accept(this);
        }
    }

    private void serve(InputStream in, OutputStream out)
            throws IOException, AbciDispatcher.UnknownRequestException {
        while (true) {
            Request request = AbciFrames.readRequest(in, maxFrameBytes);
            if (request == null) {
                LOG.info("ABCI {}: closed by the client", name);
                return;
            }
            Response response = answer(request);
            AbciFrames.write(response, out);
            if (response.hasFlush() || response.hasException() || in.available() == 0) {
                out.flush();
            }
        }
    }

    private Response answer(Request request) throws AbciDispatcher.UnknownRequestException {
        try {
            return dispatcher.dispatch(request);
        } catch (RuntimeException e) {
            LOG.error("ABCI {}: application failed on {}", name, request.getValueCase(), e);
            return AbciDispatcher.exception(e);
        }
    }

    /** Closes the socket; the serving thread then ends. Safe to call from any thread, twice. */
    void close() {
        closing = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("ABCI {}: error closing: {}", name, e.toString());
        }
    }
}
