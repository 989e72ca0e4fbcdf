package chainkm.testbed.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's JSON API and static files over a fake testbed, without a browser or a testnet. */
class DashboardServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeTestbed testbed;
    private DashboardServer server;

    /** Records every control; device "ghost" does not exist, "old" has an agent that cannot move or leave yet. */
    static final class FakeTestbed implements TestbedControl {
        final EventLog events = new EventLog(100);
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public ObjectNode state() {
            ObjectNode o = JSON.createObjectNode();
            o.putArray("gateways").addObject().put("id", 1).put("up", true).put("height", 7);
            o.putArray("devices").addObject().put("name", "sim1").put("attached", 1);
            o.putObject("ledger").putArray("sets");
            return o;
        }

        @Override
        public EventLog events() {
            return events;
        }

        private ObjectNode call(String what) {
            calls.add(what);
            return JSON.createObjectNode().put("did", what);
        }

        private void check(String device) {
            if (device.equals("ghost")) {
                throw new NoSuchElementException("no device ghost");
            }
        }

        @Override
        public ObjectNode stopGateway(int id) {
            if (id == 9) {
                throw new NoSuchElementException("no gateway 9");
            }
            return call("stop " + id);
        }

        @Override
        public ObjectNode startGateway(int id) {
            if (id == 1) {
                throw new IllegalStateException("gateway 1 is already running");
            }
            return call("start " + id);
        }

        @Override
        public ObjectNode moveDevice(String name, int gateway) {
            check(name);
            if (name.equals("old")) {
                throw new UnsupportedOperationException("moveTo: not supported by this agent");
            }
            return call("move " + name + " " + gateway);
        }

        @Override
        public ObjectNode sleepDevice(String name) {
            check(name);
            return call("sleep " + name);
        }

        @Override
        public ObjectNode wakeDevice(String name) throws IOException {
            check(name);
            if (name.equals("broken")) {
                throw new IOException("catch-up failed");
            }
            return call("wake " + name);
        }

        @Override
        public ObjectNode leaveDevice(String name) {
            check(name);
            if (name.equals("old")) {
                throw new UnsupportedOperationException("leave: not supported by this agent");
            }
            return call("leave " + name);
        }

        @Override
        public ObjectNode evictDevice(String name) {
            check(name);
            return call("evict " + name);
        }

        @Override
        public ObjectNode addDevices(int count) {
            return call("add " + count);
        }
    }

    record Answer(int status, String contentType, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    @BeforeEach
    void start() throws IOException {
        testbed = new FakeTestbed();
        server = new DashboardServer(0).start(testbed);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Answer send(String method, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private Answer get(String path) throws Exception {
        return send("GET", path);
    }

    private Answer post(String path) throws Exception {
        return send("POST", path);
    }

    private EventLog.Event lastEvent() {
        List<EventLog.Event> all = testbed.events.after(0, 1000);
        return all.get(all.size() - 1);
    }

    @Test
    void servesThePageAndItsScriptAndStyleFromStaticFiles() throws Exception {
        Answer page = get("/");
        assertEquals(200, page.status());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        assertTrue(page.body().contains("<script src=\"dashboard.js\">"), "the page loads its script");
        assertEquals(page.body(), get("/index.html").body());
        Answer js = get("/dashboard.js");
        assertEquals(200, js.status());
        assertTrue(js.contentType().startsWith("text/javascript"));
        assertTrue(js.body().contains("/api/state"));
        Answer css = get("/dashboard.css");
        assertEquals(200, css.status());
        assertTrue(css.contentType().startsWith("text/css"));
        assertEquals(404, get("/../pom.xml").status());
        assertEquals(404, get("/logback.xml").status());
        assertEquals(405, post("/").status());
    }

    @Test
    void stateIsTheTestbedsAsJson() throws Exception {
        Answer a = get("/api/state");
        assertEquals(200, a.status());
        assertTrue(a.contentType().startsWith("application/json"));
        assertEquals(testbed.state(), a.json());
    }

    @Test
    void eventsAreReadFromAfterTheLastOneSeen() throws Exception {
        testbed.events.add(EventLog.Source.LEDGER, "join", "sim1", 11, 1, "node 11 joined");
        testbed.events.add(EventLog.Source.DEVICE, "caught_up", "sim1", 11, 1, "3 messages");
        testbed.events.add(EventLog.Source.GATEWAY, "down", null, null, 2, "gateway 2 is stopped");
        JsonNode all = get("/api/events").json();
        assertEquals(3, all.path("last").asLong());
        assertEquals(3, all.path("events").size());
        JsonNode first = all.path("events").get(0);
        assertEquals(1, first.path("seq").asLong());
        assertEquals("ledger", first.path("source").asText());
        assertEquals("join", first.path("kind").asText());
        assertEquals("sim1", first.path("device").asText());
        assertEquals(11, first.path("node").asInt());
        assertEquals(1, first.path("gateway").asInt());
        JsonNode later = get("/api/events?after=1").json();
        assertEquals(2, later.path("events").size());
        assertEquals("caught_up", later.path("events").get(0).path("kind").asText());
        assertTrue(later.path("events").get(1).path("device").isNull());
        assertEquals(0, get("/api/events?after=3").json().path("events").size());
        assertEquals(1, get("/api/events?after=0&limit=1").json().path("events").size());
        assertEquals(400, get("/api/events?after=x").status());
        assertEquals(400, get("/api/events?after=-1").status());
    }

    @Test
    void gatewayControlsStopAndStartAndAreLogged() throws Exception {
        Answer a = post("/api/gateways/2/stop");
        assertEquals(200, a.status(), a.body());
        assertEquals("stop 2", a.json().path("did").asText());
        assertEquals("stop", lastEvent().kind());
        assertEquals(2, lastEvent().gateway());
        assertEquals(EventLog.Source.DASHBOARD, lastEvent().source());
        assertEquals(200, post("/api/gateways/2/start").status());
        assertEquals(List.of("stop 2", "start 2"), testbed.calls);
    }

    @Test
    void deviceControlsReachTheTestbed() throws Exception {
        for (String what : List.of("sleep", "wake", "leave", "evict")) {
            Answer a = post("/api/devices/sim3/" + what);
            assertEquals(200, a.status(), a.body());
            assertEquals(what, lastEvent().kind());
            assertEquals("sim3", lastEvent().device());
        }
        assertEquals(200, post("/api/devices/sim3/move?to=4").status());
        assertEquals(200, post("/api/devices?count=2").status());
        assertEquals(200, post("/api/devices").status());
        assertEquals(List.of("sleep sim3", "wake sim3", "leave sim3", "evict sim3", "move sim3 4", "add 2", "add 1"),
                testbed.calls);
    }

    @Test
    void badRequestsAreRefusedWithoutReachingTheTestbed() throws Exception {
        assertEquals(400, post("/api/devices/sim3/move").status());
        assertEquals(400, post("/api/devices/sim3/move?to=two").status());
        assertEquals(400, post("/api/devices?count=0").status());
        assertEquals(400, post("/api/devices?count=51").status());
        assertEquals(400, post("/api/devices?count=-1").status());
        assertEquals(404, post("/api/devices/sim3/explode").status());
        assertEquals(404, post("/api/devices/a%20b/sleep").status());
        assertEquals(404, post("/api/gateways/x/stop").status());
        assertEquals(404, get("/api/gateways/2/stop").status());
        assertEquals(405, send("PUT", "/api/gateways/2/stop").status());
        assertEquals(405, send("DELETE", "/api/devices/sim3").status());
        assertTrue(testbed.calls.isEmpty(), testbed.calls.toString());
    }

    @Test
    void failuresAnswerWithTheirMessageAndGoToTheEventLogAsErrors() throws Exception {
        Answer move = post("/api/devices/old/move?to=3");
        assertEquals(501, move.status());
        assertEquals("move old to gateway 3 failed: moveTo: not supported by this agent", move.json().path("error").asText());
        assertEquals("error", lastEvent().kind());
        assertEquals("old", lastEvent().device());
        assertEquals(3, lastEvent().gateway());
        assertTrue(lastEvent().detail().contains("moveTo: not supported by this agent"), lastEvent().detail());

        Answer leave = post("/api/devices/old/leave");
        assertEquals(501, leave.status());
        assertTrue(leave.json().path("error").asText().contains("leave: not supported by this agent"));

        assertEquals(404, post("/api/devices/ghost/sleep").status());
        assertEquals("sleep ghost failed: no device ghost", lastEvent().detail());
        assertEquals(404, post("/api/gateways/9/stop").status());
        Answer running = post("/api/gateways/1/start");
        assertEquals(409, running.status());
        assertEquals("start gateway 1 failed: gateway 1 is already running", running.json().path("error").asText());
        Answer broken = post("/api/devices/broken/wake");
        assertEquals(500, broken.status());
        assertEquals("wake broken failed: catch-up failed", broken.json().path("error").asText());
        assertEquals(6, testbed.events.after(0, 100).stream().filter(e -> e.kind().equals("error")).count());
    }

    @Test
    void controlsFromAnotherWebSiteAreRefused() throws Exception {
        String foreign = raw("POST /api/gateways/2/stop HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nOrigin: http://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertTrue(foreign.startsWith("HTTP/1.1 403"), foreign);
        String own = raw("POST /api/gateways/2/stop HTTP/1.1\r\nHost: localhost:" + server.port()
                + "\r\nOrigin: http://localhost:" + server.port() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertTrue(own.startsWith("HTTP/1.1 200"), own);
        // a name that resolves to 127.0.0.1 (DNS rebinding) does not get the state either
        String rebound = raw("GET /api/state HTTP/1.1\r\nHost: attacker.example:" + server.port()
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        assertEquals(List.of("stop 2"), testbed.calls);
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        assertEquals("http://127.0.0.1:" + server.port() + "/", server.url());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            assertTrue(s.isConnected());
        }
        try (DashboardServer second = new DashboardServer(server.port())) {
            throw new AssertionError("a second server bound the same port");
        } catch (java.net.BindException e) {
            assertTrue(e.getMessage().contains("--dashboard-port"), e.getMessage());
        }
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
