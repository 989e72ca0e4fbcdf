package chainkm.gateway.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControlServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final List<JsonNode> submitted = new ArrayList<>();
    private ControlServer server;

    /** Answers a fixed status; echoes a submission, or refuses it the way the gateway does. */
    private final ControlServer.ControlHandler handler = new ControlServer.ControlHandler() {
        @Override
        public ObjectNode status() {
            return JSON.createObjectNode().put("gateway", 1).put("height", 42);
        }

        @Override
        public ObjectNode submit(JsonNode request) {
            synchronized (submitted) {
                submitted.add(request);
            }
            String op = request.path("op").asText();
            if (!op.equals("join")) {
                throw new IllegalArgumentException("unknown op '" + op + "'");
            }
            return JSON.createObjectNode().put("status", "committed").put("node_id", 7);
        }

        @Override
        public ObjectNode inventory() {
            return JSON.createObjectNode().put("gateway", 1);
        }
    };

    @BeforeEach
    void start() throws IOException {
        server = ControlServer.start(0, TOKEN, handler);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void bindsAnEphemeralPort() {
        assertTrue(server.port() > 0);
    }

    @Test
    void requestsWithoutOrWithAWrongTokenAre401() throws Exception {
        for (String auth : new String[] {null, "Bearer wrong", "Bearer " + TOKEN + "x", TOKEN, "Basic " + TOKEN, "Bearer "}) {
            HttpResponse<String> r = send("GET", "/status", auth, null);
            assertEquals(401, r.statusCode(), "Authorization: " + auth);
            assertTrue(json(r).path("error").asText().contains("token"), r.body());
            assertEquals(401, send("POST", "/submit", auth, "{\"op\":\"join\"}").statusCode());
        }
        assertTrue(submitted.isEmpty(), "nothing reached the handler");
    }

    @Test
    void statusReturnsTheHandlersJson() throws Exception {
        HttpResponse<String> r = send("GET", "/status", "Bearer " + TOKEN, null);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(handler.status(), json(r));
    }

    @Test
    void submitPassesTheJsonBodyToTheHandler() throws Exception {
        HttpResponse<String> r = send("POST", "/submit", "Bearer " + TOKEN, "{\"op\":\"join\",\"mode\":\"sync\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(7, json(r).path("node_id").asInt());
        assertEquals("sync", submitted.get(0).path("mode").asText());
    }

    @Test
    void aBodyThatIsNotJsonIs400() throws Exception {
        HttpResponse<String> r = send("POST", "/submit", "Bearer " + TOKEN, "{op: join");
        assertEquals(400, r.statusCode());
        assertTrue(json(r).path("error").asText().contains("not JSON"), r.body());
        assertTrue(submitted.isEmpty());
    }

    @Test
    void anIllegalArgumentFromTheHandlerIs400WithItsMessage() throws Exception {
        HttpResponse<String> r = send("POST", "/submit", "Bearer " + TOKEN, "{\"op\":\"jump\"}");
        assertEquals(400, r.statusCode());
        assertEquals("unknown op 'jump'", json(r).path("error").asText());
    }

    @Test
    void theWrongMethodIs405() throws Exception {
        assertEquals(405, send("POST", "/status", "Bearer " + TOKEN, "{}").statusCode());
        assertEquals(405, send("GET", "/submit", "Bearer " + TOKEN, null).statusCode());
        assertEquals(405, send("DELETE", "/status", "Bearer " + TOKEN, null).statusCode());
        assertTrue(submitted.isEmpty());
    }

    @Test
    void controlClientTalksToIt() throws Exception {
        ControlClient client = new ControlClient(server.port(), TOKEN);
        assertEquals(42, client.status(TIMEOUT).path("height").asLong());
        JsonNode answer = client.submit(JSON.createObjectNode().put("op", "join"), TIMEOUT);
        assertEquals("committed", answer.path("status").asText());

        IOException refused = assertThrows(IOException.class,
                () -> client.submit(JSON.createObjectNode().put("op", "jump"), TIMEOUT));
        assertTrue(refused.getMessage().contains("400") && refused.getMessage().contains("unknown op 'jump'"),
                refused.getMessage());
        IOException unauthorized = assertThrows(IOException.class,
                () -> new ControlClient(server.port(), "wrong").status(TIMEOUT));
        assertTrue(unauthorized.getMessage().contains("401"), unauthorized.getMessage());
    }
}
