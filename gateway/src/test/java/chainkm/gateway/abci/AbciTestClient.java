package chainkm.gateway.abci;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestEcho;
import tendermint.abci.Types.RequestFlush;
import tendermint.abci.Types.Response;

/** A blocking ABCI client over TCP for tests: writes framed requests, reads framed responses. */
final class AbciTestClient implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    AbciTestClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream());
    }

    static Request flushRequest() {
        return Request.newBuilder().setFlush(RequestFlush.getDefaultInstance()).build();
    }

    static Request echoRequest(String message) {
        return Request.newBuilder().setEcho(RequestEcho.newBuilder().setMessage(message)).build();
    }

    /** Queues requests without flushing the socket. */
    void send(Request... requests) throws IOException {
        for (Request request : requests) {
            AbciFrames.write(request, out);
        }
    }

    /** Sends raw bytes, e.g. a malformed frame. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes what {@link #send} queued to the socket, without an ABCI Flush request. */
    void pushToSocket() throws IOException {
        out.flush();
    }

    /** Sends the requests and a Flush, then reads every response, the Flush's included. */
    List<Response> call(Request... requests) throws IOException {
        send(requests);
        send(flushRequest());
        out.flush();
        List<Response> responses = new ArrayList<>();
        for (int i = 0; i <= requests.length; i++) {
            Response response = read();
            if (response == null) {
                throw new IOException("connection closed after " + responses.size() + " responses");
            }
            responses.add(response);
        }
        return responses;
    }

    /** One request, then Flush; returns the request's response. */
    Response callOne(Request request) throws IOException {
        return call(request).get(0);
    }

    /** The next response, or null once the server closed the connection. */
    Response read() throws IOException {
        return AbciFrames.readResponse(in, AbciFrames.DEFAULT_MAX_FRAME_BYTES);
    }

    /** True once the server has closed its side: end of stream or reset. */
    boolean isClosedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
