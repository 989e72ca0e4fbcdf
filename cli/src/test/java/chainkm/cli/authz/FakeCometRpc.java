package chainkm.cli.authz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a gateway's CometBFT RPC that answers {@code abci_query} as the ledger would:
 * a prepared answer per path and data (hex), else code 1. Records the queries it got.
 */
public final class FakeCometRpc implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Query(String path, String data) {}

    private record Answer(int code, String log, String value) {}

    public final List<Query> queries = new CopyOnWriteArrayList<>();
    private final Map<Query, Answer> answers = new ConcurrentHashMap<>();
    private final HttpServer server;

    public FakeCometRpc() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            JsonNode req = JSON.readTree(exchange.getRequestBody());
            JsonNode params = req.path("params");
            String data = new String(HexFormat.of().parseHex(params.path("data").asText()), StandardCharsets.UTF_8);
            Query q = new Query(params.path("path").asText(), data);
            queries.add(q);
            Answer a = answers.getOrDefault(q, new Answer(1, "no such thing", null));
            ObjectNode response = JSON.createObjectNode().put("code", a.code()).put("log", a.log()).put("height", "7");
            if (a.value() != null) {
                response.put("value", Base64.getEncoder().encodeToString(a.value().getBytes(StandardCharsets.UTF_8)));
            }
            ObjectNode body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", req.path("id").asLong());
            body.putObject("result").set("response", response);
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void answer(String path, String data, String json) {
        answers.put(new Query(path, data), new Answer(0, "", json));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
