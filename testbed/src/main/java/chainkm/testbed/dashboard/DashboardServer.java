package chainkm.testbed.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web server, on 127.0.0.1 only: the page (static files from the class path's
 * {@code dashboard/} folder, no build step) and its JSON API over a {@link TestbedControl}:
 * <ul>
 *   <li>{@code GET /api/state}; {@code GET /api/events?after=N[&limit=M]};</li>
 *   <li>{@code POST /api/gateways/ID/stop}, {@code POST /api/gateways/ID/start};</li>
 *   <li>{@code POST /api/devices/NAME/sleep|wake|leave|evict}, {@code POST /api/devices/NAME/move?to=ID};</li>
 *   <li>{@code POST /api/devices?count=N} (adds N devices).</li>
 * </ul>
 * Every control answers once it is done: 200 with a JSON object, or an error status with
 * {@code {"error": "..."}}, which also goes to the event log. Requests must name this server
 * in their Host header and POSTs from a browser must come from the dashboard's own origin
 * (another web site cannot drive the testnet through the user's browser).
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/dashboard.js", "dashboard.js",
            "/dashboard.css", "dashboard.css");
    private static final Pattern GATEWAY_CONTROL = Pattern.compile("/api/gateways/(\\d{1,5})/(stop|start)");
    private static final Pattern DEVICE_CONTROL = Pattern.compile("/api/devices/([A-Za-z0-9_.-]{1,64})/(sleep|wake|leave|evict|move)");
    private static final int MAX_EVENTS = 500;
    private static final int MAX_ADD = 50;

    private final HttpServer server;
    private final ExecutorService pool;
    private volatile TestbedControl control;

    /** Binds 127.0.0.1:{@code port} (0: a free port) at once, so a port in use is reported before anything starts. */
    public DashboardServer(int port) throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 32);
        } catch (BindException e) {
            throw new BindException("the dashboard cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "); choose another port with --dashboard-port, or -1 for no dashboard");
        }
        pool = Executors.newFixedThreadPool(8, DaemonThreads.named("dashboard-http"));
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    /** Starts serving {@code control}. */
    public DashboardServer start(TestbedControl control) {
        this.control = control;
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (!hostIsUs(ex.getRequestHeaders().getFirst("Host"))) {
                reply(ex, 403, error("the dashboard answers only to 127.0.0.1:" + port() + " and localhost:" + port()));
                return;
            }
            if (!path.startsWith("/api/")) {
                serveStatic(ex, path, method);
                return;
            }
            if (method.equals("GET")) {
                switch (path) {
                    case "/api/state" -> reply(ex, 200, control.state());
                    case "/api/events" -> {
                        long after;
                        int limit;
                        try {
                            Map<String, String> q = query(ex);
                            after = parseLong(q.getOrDefault("after", "0"), "after");
                            limit = (int) Math.min(MAX_EVENTS, parseLong(q.getOrDefault("limit", "" + MAX_EVENTS), "limit"));
                        } catch (IllegalArgumentException e) {
                            reply(ex, 400, error(e.getMessage()));
                            return;
                        }
                        reply(ex, 200, control.events().toJson(after, Math.max(1, limit)));
                    }
                    default -> reply(ex, 404, error("no such resource: GET " + path));
                }
                return;
            }
            if (!method.equals("POST")) {
                reply(ex, 405, error("method " + method + " is not allowed here"));
                return;
            }
            String origin = ex.getRequestHeaders().getFirst("Origin");
            if (origin != null && !origin.equals("http://127.0.0.1:" + port()) && !origin.equals("http://localhost:" + port())) {
                reply(ex, 403, error("controls are accepted only from the dashboard's own page"));
                return;
            }
            control(ex, path);
        } catch (RuntimeException e) {
            LOG.warn("dashboard request {} failed", ex.getRequestURI(), e);
            try {
                reply(ex, 500, error("internal error: " + e));
            } catch (IOException | RuntimeException again) {
                // the answer was already under way: the client sees a cut connection
            }
        }
    }

    private void control(HttpExchange ex, String path) throws IOException {
        Map<String, String> q;
        try {
            q = query(ex);
        } catch (IllegalArgumentException e) {
            reply(ex, 400, error(e.getMessage()));
            return;
        }
        Matcher g = GATEWAY_CONTROL.matcher(path);
        Matcher d = DEVICE_CONTROL.matcher(path);
        if (g.matches()) {
            int id = Integer.parseInt(g.group(1));
            String what = g.group(2);
            run(ex, what, null, id, what + " gateway " + id, () -> what.equals("stop")
                    ? control.stopGateway(id) : control.startGateway(id));
        } else if (d.matches()) {
            String name = d.group(1);
            String what = d.group(2);
            if (what.equals("move")) {
                String to = q.get("to");
                if (to == null || !to.matches("\\d{1,5}")) {
                    reply(ex, 400, error("move needs ?to=GATEWAY"));
                    return;
                }
                int gw = Integer.parseInt(to);
                run(ex, "move", name, gw, "move " + name + " to gateway " + gw, () -> control.moveDevice(name, gw));
                return;
            }
            run(ex, what, name, null, what + " " + name, () -> switch (what) {
                case "sleep" -> control.sleepDevice(name);
                case "wake" -> control.wakeDevice(name);
                case "leave" -> control.leaveDevice(name);
                default -> control.evictDevice(name);
            });
        } else if (path.equals("/api/devices")) {
            String count = q.getOrDefault("count", "1");
            if (!count.matches("\\d{1,3}") || Integer.parseInt(count) < 1 || Integer.parseInt(count) > MAX_ADD) {
                reply(ex, 400, error("count must be a number from 1 to " + MAX_ADD));
                return;
            }
            int n = Integer.parseInt(count);
            run(ex, "add", null, null, "add " + n + (n == 1 ? " device" : " devices"), () -> control.addDevices(n));
        } else {
            reply(ex, 404, error("no such control: POST " + path));
        }
    }

    private interface Action {
        ObjectNode run() throws Exception;
    }

    /** Runs one control; its outcome goes to the event log and back to the caller. */
    private void run(HttpExchange ex, String kind, String device, Integer gateway, String what, Action action)
            throws IOException {
        ObjectNode result;
        try {
            result = action.run();
        } catch (Exception e) {
            int status = statusOf(e);
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (status == 500) {
                LOG.warn("dashboard: {} failed", what, e);
            }
            control.events().add(EventLog.Source.DASHBOARD, "error", device, null, gateway, what + " failed: " + message);
            reply(ex, status, error(what + " failed: " + message));
            return;
        }
        control.events().add(EventLog.Source.DASHBOARD, kind, device, null, gateway, what + ": done");
        reply(ex, 200, result);
    }

    static int statusOf(Exception e) {
        if (e instanceof NoSuchElementException) {
            return 404;
        }
        if (e instanceof IllegalArgumentException) {
            return 400;
        }
        if (e instanceof IllegalStateException) {
            return 409;
        }
        if (e instanceof UnsupportedOperationException) {
            return 501;
        }
        return 500;
    }

    private boolean hostIsUs(String host) {
        return host != null && (host.equals("127.0.0.1:" + port()) || host.equals("localhost:" + port()));
    }

    private void serveStatic(HttpExchange ex, String path, String method) throws IOException {
        String file = STATIC.get(path);
        if (file == null) {
            reply(ex, 404, error("no such page: " + path));
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            reply(ex, 405, error("method " + method + " is not allowed here"));
            return;
        }
        byte[] body;
        try (InputStream in = DashboardServer.class.getResourceAsStream("/dashboard/" + file)) {
            if (in == null) {
                reply(ex, 500, error("the dashboard's " + file + " is missing from the class path"));
                return;
            }
            body = in.readAllBytes();
        }
        String type = file.endsWith(".html") ? "text/html" : file.endsWith(".js") ? "text/javascript" : "text/css";
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (method.equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static long parseLong(String s, String name) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a non-negative number");
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
