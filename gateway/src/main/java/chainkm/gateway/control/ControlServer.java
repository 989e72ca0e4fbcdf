package chainkm.gateway.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's local control API, used by {@code bin/chainkm} and tests: JSON over HTTP on
 * 127.0.0.1 only, every request carrying {@code Authorization: Bearer <token>} where the
 * token is the gateway's {@code control.token} file (mode 0600).
 * <ul>
 *   <li>{@code GET /status}: the gateway's status (see {@link ControlHandler#status()});</li>
 *   <li>{@code GET /inventory}: identifiers (never bytes) of the link keys this gateway and each of
 *       its devices hold;</li>
 *   <li>{@code POST /submit} with {@code {"op": "join|leave|evict", "mode": "commit|sync",
 *       "node_id": N, "set_id": N, "secret_code_hash": "hex", "wait": "landed"}}: submits one
 *       operation; answers the submission result (in sync mode, {@code "wait": "landed"} also
 *       waits for the final result and returns both). A join is a synthetic device's (the
 *       gateway enrolls a throwaway identity first); a leave only of a synthetic member this
 *       gateway made; an evict is signed by this gateway, and may carry
 *       {@code "cosignatures": [{"gateway": G, "signature": "hex"}], "nonce": "hex"} of others;
 *       {@code {"op": "enroll", "name": "...", "enrollment_key": "hex"}} enrolls a device
 *       (what {@code provision} asks for).</li>
 * </ul>
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    /** What the gateway offers through the API. */
    public interface ControlHandler {
        ObjectNode status();

        ObjectNode submit(JsonNode request) throws Exception;

        ObjectNode inventory();
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] token;

    private ControlServer(HttpServer server, ExecutorService executor, String token) {
        this.server = server;
        this.executor = executor;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    public static ControlServer start(int port, String token, ControlHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "control-http");
            t.setDaemon(true);
            return t;
        });
        ControlServer cs = new ControlServer(server, executor, token);
        server.createContext("/status", ex -> cs.handle(ex, "GET", () -> handler.status()));
        server.createContext("/inventory", ex -> cs.handle(ex, "GET", () -> handler.inventory()));
        server.createContext("/submit", ex -> cs.handle(ex, "POST", () -> handler.submit(readJson(ex))));
        server.setExecutor(executor);
        server.start();
        return cs;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private interface Action {
        ObjectNode run() throws Exception;
    }

    private void handle(HttpExchange ex, String method, Action action) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(token, auth.getBytes(StandardCharsets.US_ASCII))) {
                reply(ex, 401, error("missing or wrong control token"));
                return;
            }
            if (!method.equals(ex.getRequestMethod())) {
                reply(ex, 405, error("use " + method));
                return;
            }
            try {
                reply(ex, 200, action.run());
            } catch (IllegalArgumentException e) {
                reply(ex, 400, error(e.getMessage()));
            } catch (Exception e) {
                LOG.warn("control request {} failed", ex.getRequestURI(), e);
                reply(ex, 500, error(e.toString()));
            }
        }
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new IllegalArgumentException("request body larger than " + MAX_BODY + " bytes");
            }
            try {
                return JSON.readTree(body.length == 0 ? "{}".getBytes() : body);
            } catch (IOException e) {
                throw new IllegalArgumentException("request body is not JSON: " + e.getMessage());
            }
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
