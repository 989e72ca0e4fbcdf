package chainkm.gateway.control;

import chainkm.gateway.home.GatewayHome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Client of a gateway's {@link ControlServer}, for bin/chainkm and tests. */
public final class ControlClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public ControlClient(int port, String token) {
        this.base = URI.create("http://127.0.0.1:" + port);
        this.token = token;
    }

    public static ControlClient forHome(Path gatewayHome, int port) throws IOException {
        return new ControlClient(port, GatewayHome.readLine(GatewayHome.at(gatewayHome).controlToken()));
    }

    public JsonNode status(Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/status")).GET(), timeout);
    }

    public JsonNode inventory(Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/inventory")).GET(), timeout);
    }

    public JsonNode submit(JsonNode request, Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve("/submit"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request))), timeout);
    }

    private JsonNode send(HttpRequest.Builder b, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(b.header("Authorization", "Bearer " + token).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("gateway answered " + r.statusCode() + ": " + body.path("error").asText());
        }
        return body;
    }
}
